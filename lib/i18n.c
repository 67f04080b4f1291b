/* The process's catalogue for _() and P_(): see i18n.h. */
#include "config.h"

#include <stdlib.h>

#include "catalog.h"
#include "i18n.h"

static struct catalog *process_catalog;

static const char *
from_environment(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

void
i18n_init(const char *localedir)
{
	catalog_close(process_catalog);
	process_catalog = catalog_open(localedir, PACKAGE,
				       catalog_languages(NULL, from_environment, NULL));
}

const char *
i18n_gettext(const char *msgid)
{
	return catalog_gettext(process_catalog, msgid);
}

const char *
i18n_ngettext(const char *one, const char *many, unsigned long n)
{
	return catalog_ngettext(process_catalog, one, many, n);
}
