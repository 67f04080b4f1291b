/* The file store's record protocol (lib/store_file.c), for spin.
 *
 * NLOGIN logins of one user and one administrator's rewrite interleave in
 * every order; any one of them may be killed (kill -9) at any step, and a
 * power cut may hit at any moment, after which later logins go on with
 * what the disk kept. Checked, in every reachable state:
 *   a code (a time step) is never accepted twice;
 *   a login reported as accepted is never lost, not even by a power cut;
 *   the record always reads (an enrolment part, at least one valid slot);
 *   the failure count never goes backwards, except by a success or the
 *   administrator's reset, once those are reported (a report that comes
 *   after a later login's, which the unlock before the sync allows, is
 *   judged by the newest one).
 *
 * Abstractions (README, "The record protocol, model-checked"): a code is
 * its time step (1..NSTEP, 0 a wrong code); verify.c's decision is "a
 * step above last_step is accepted and clears the failures, anything else
 * counts one failure"; the lock-out, skew and recovery codes are left
 * out; a failing system call is not modelled (tests/pam_faults.sh covers
 * those paths); a write of one slot is one page-cache update, and a power
 * cut leaves each slot written since its last sync old, new or torn.
 *
 * Variants, each of which must fail (tests/spin_model.sh):
 *   -DBROKEN_NO_SYNC       file_write_state reports without fdatasync
 *   -DBROKEN_SAME_SLOT     file_write_state overwrites the slot it read
 *   -DBROKEN_NO_MARK       store_file_open ignores a new file's S_ISVTX
 *                          (a rewriter killed between its rename and the
 *                          directory's fsync, then a login, then a power
 *                          cut: the login's state goes with the rename) */

#ifndef NLOGIN
#define NLOGIN 2
#endif
#define NSTEP 2
#define MAXFAIL 3
#define NINODE 2        /* 0: the enrolled record, 1: the administrator's rewrite */
#define NOBODY 255

/* Each inode's two slots, in the page cache (layer C) and on the disk
 * (layer D): index S(layer, inode, slot). */
#define C 0
#define D 4
#define S(l, i, k) ((l) + (i) * 2 + (k))
bool valid[8], dirty[4];
byte sseq[8], sstep[8], sfail[8];
bool enrol[4];                         /* the enrolment part, E(layer, inode) */
#define E(l, i) ((l) / 2 + (i))
byte name_c = 0, name_d = 0;           /* the inode the record's name points to */
bool marked[NINODE];                   /* S_ISVTX: named, but maybe not durably */
byte lock[NINODE];                     /* flock holder's _pid, NOBODY when free */

byte boot = 0;                         /* power cuts so far (at most one) */
byte kills = 0;                        /* kill -9 so far (at most one) */

/* ghosts: what was reported to the caller */
byte accepted[NSTEP + 1];              /* successes reported per step */
byte reported_step = 0;                /* highest step reported as accepted */
byte reported_fail = 0;                /* failure count last reported */
byte reported_seq = 0;                 /* the slot sequence number it came with */

/* the state a reader takes from inode i: the valid slot with the higher
 * seq (record_parse); ok false when neither slot is valid or no enrolment */
inline read_record(l, i)
{
	ok = enrol[E(l, i)] && (valid[S(l, i, 0)] || valid[S(l, i, 1)]);
	if
	:: valid[S(l, i, 0)] && (!valid[S(l, i, 1)] || sseq[S(l, i, 0)] >= sseq[S(l, i, 1)]) ->
		slot = 0
	:: else -> slot = 1
	fi;
	seq = sseq[S(l, i, slot)]; step = sstep[S(l, i, slot)]; fail = sfail[S(l, i, slot)]
}

/* copy slot k of the page cache to the disk, or the disk to the cache */
inline to_disk(k)
{
	valid[D + k] = valid[k]; sseq[D + k] = sseq[k]; sstep[D + k] = sstep[k];
	sfail[D + k] = sfail[k]; dirty[k] = false
}
inline from_disk(k)
{
	valid[k] = valid[D + k]; sseq[k] = sseq[D + k]; sstep[k] = sstep[D + k];
	sfail[k] = sfail[D + k]
}

/* The invariants on what a reboot finds on the disk. */
inline check_disk()
{
	read_record(D, name_d);
	assert(ok);                          /* the record always reads */
	assert(step >= reported_step);       /* no reported success lost */
	assert(fail >= reported_fail)        /* failures never go backwards */
}

/* A power cut: each slot written since its last sync is on the disk old,
 * new or torn (fails its checksum). Both slots of a record lie in its
 * first 512 bytes, which cross no sector boundary, so a write torn at
 * sector boundaries spoils at most one slot: allowing one torn slot per
 * power cut is already more than the disk can do. A rename not followed by the
 * directory's fsync may or may not have reached the disk. Every process
 * in flight stops (their unless clauses) and every lock is gone. */
proctype power()
{
	byte i, seq, step, fail, slot;
	bool ok, torn = false;

	atomic {
		i = 0;
		do
		:: i < 4 ->
			if
			:: dirty[i] ->
				if
				:: skip                          /* lost */
				:: to_disk(i)                    /* written */
				:: !torn -> valid[D + i] = false; torn = true /* torn: fails its checksum */
				fi
			:: else
			fi;
			dirty[i] = false;
			from_disk(i);
			i++
		:: else -> break
		od;
		if
		:: name_d != name_c -> if :: name_d = name_c :: skip fi
		:: else
		fi;
		name_c = name_d;
		enrol[E(C, 0)] = enrol[E(D, 0)]; enrol[E(C, 1)] = enrol[E(D, 1)];
		lock[0] = NOBODY; lock[1] = NOBODY;
		check_disk();
		boot++
	}
}

/* store_file_open's loop: open the name, flock it (lock_with_timeout
 * waits until it is free), look again, retry if it was renamed over. */
inline open_and_lock()
{
	do
	:: ino = name_c;                                   /* open */
	   atomic { lock[ino] == NOBODY -> lock[ino] = _pid }; /* lock_with_timeout */
	   if
	   :: name_c == ino -> break                       /* stat_no_times: same file */
	   :: else -> lock[ino] = NOBODY                   /* unlock_close, retry */
	   fi
	od;
#ifndef BROKEN_NO_MARK
	if                                                 /* sync_uncommitted_name */
	:: marked[ino] -> atomic { name_d = name_c; marked[ino] = false }
	:: else
	fi
#endif
}

/* kill -9 here, at most once in a run */
inline may_die()
{
	if
	:: kills == 0 -> kills++; goto died
	:: true
	fi
}

proctype login()
{
	byte ino = NOBODY, code, seq, step, fail, slot, w, myboot;
	bool ok;

	myboot = boot;                                /* started before or after a cut */
	{
		if                                        /* the code typed */
		:: code = 0 :: code = 1 :: code = 2
		fi;
		open_and_lock(); may_die();
		/* file_read: both slots, the newer valid one wins */
		atomic {
			read_record(C, ino);
			assert(ok);                       /* the record always reads */
			assert(step >= reported_step && fail >= reported_fail)
		};
		may_die();
		/* verify_code: the decision */
		if
		:: code > step -> step = code; fail = 0
		:: else -> if :: fail < MAXFAIL -> fail++ :: else fi
		fi;
		/* file_write_state: pwrite the older slot (record_next_slot) */
#ifdef BROKEN_SAME_SLOT
		w = S(C, ino, slot);
#else
		w = S(C, ino, 1 - slot);
#endif
		atomic {
			valid[w] = true; sseq[w] = seq + 1; sstep[w] = step;
			sfail[w] = fail; dirty[w] = true;
			/* a right code clears the failures as soon as it is written,
			 * reported or not */
			if :: fail == 0 -> reported_fail = 0; reported_seq = seq + 1 :: else fi
		};
		may_die();
		/* file_write_state unlocks before its fdatasync: the next login
		 * reads this state from the page cache while it is synced */
		lock[ino] = NOBODY;
		/* fdatasync (of whatever the cache holds then, later logins'
		 * slots included), then the login reports its outcome */
		atomic {
#ifndef BROKEN_NO_SYNC
			to_disk(S(C, ino, 0)); to_disk(S(C, ino, 1));
#endif
			if
			:: fail == 0 ->                   /* PAM_SUCCESS */
				accepted[code]++;
				assert(accepted[code] == 1);  /* never accepted twice */
				reported_step = (code > reported_step -> code : reported_step)
			:: else
			fi;
			/* a report that comes after a later login's (possible now
			 * that the lock is gone before the sync) says nothing new */
			if
			:: seq + 1 >= reported_seq -> reported_seq = seq + 1; reported_fail = fail
			:: else
			fi
		};
		may_die();
died:
		/* file_close (or the kernel, for a killed process): unlock */
		if
		:: ino != NOBODY && lock[ino] == _pid -> lock[ino] = NOBODY
		:: else
		fi
	} unless { boot != myboot }
}

/* totp-admin's reset through file_rewrite and replace_file: the record
 * read under its lock, a new file with the failures cleared written and
 * fsynced (write_temp), locked, renamed over the name, the directory
 * fsynced; only then both locks go. */
proctype admin()
{
	byte ino = NOBODY, seq, step, fail, slot, myboot;
	bool ok, temp_locked = false;

	myboot = boot;
	{
		open_and_lock(); may_die();
		atomic {
			read_record(C, ino);
			assert(ok)
		};
		/* write_temp: inode 1, written and fsynced */
		atomic {
			valid[2] = true; sseq[2] = seq + 1; sstep[2] = step; sfail[2] = 0;
			valid[3] = true; sseq[3] = seq + 1; sstep[3] = step; sfail[3] = 0;
			enrol[E(C, 1)] = true;                       /* record_format: both slots */
			to_disk(2); to_disk(3); enrol[E(D, 1)] = true;
			marked[1] = true                             /* mode | S_ISVTX */
		};
		may_die();
		atomic { lock[1] = _pid; temp_locked = true };  /* flock(LOCK_NB) of the new file */
		atomic {
			name_c = 1;                                  /* rename */
			reported_fail = 0;                           /* the reset is in effect, */
			reported_seq = seq + 1                       /* after any login it read */
		};
		may_die();
		name_d = name_c;                                 /* fsync(dfd) */
		marked[1] = false;                               /* fchmod 0600 */
		may_die();
died:
		atomic {
			if :: temp_locked && lock[1] == _pid -> lock[1] = NOBODY :: else fi;
			if :: ino != NOBODY && lock[ino] == _pid -> lock[ino] = NOBODY :: else fi
		}
	} unless { boot != myboot }
}

init {
	byte n = 0;

	atomic {
		/* the enrolled record, synced */
		valid[0] = true; sseq[0] = 1; to_disk(0);
		valid[1] = true; sseq[1] = 1; to_disk(1);   /* record_format: both slots */
		enrol[E(C, 0)] = true; enrol[E(D, 0)] = true;
		lock[0] = NOBODY; lock[1] = NOBODY;
		do
		:: n < NLOGIN -> run login(); n++
		:: else -> break
		od;
		run admin();
		run power()
	}
}
