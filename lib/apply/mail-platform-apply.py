#!/usr/bin/python3
"""Apply a mail-platform configuration bundle on a host, safely.

Fetch the bundle, stage its files, validate them with the real programs (postconf -n,
postfix check, doveconf -n, ...), swap them in atomically, reload the daemons, check that every
listener answers, and roll back to the previous files on any failure. Applying the bundle that
is already applied changes nothing. Every step is logged to stderr and to <state>/apply.log.

Exit codes: 0 applied (or already applied, or handed to the first-boot setup), 2 rejected before
any change, 3 rolled back, 4 rollback failed too (the host needs attention), 64 usage error.

While the host's first-boot setup has not finished (<state>/setup-incomplete exists), a rollout
does not touch the host: the daemons are not running yet and the setup is installing a bundle
itself. The bundle's URL is left in <state>/pending-bundle and the setup applies it instead.
"""
import argparse
import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

FORMAT = "mail-platform-bundle/1"
# Postfix re-reads a main.cf that is only moments old; staged and installed files are dated back.
FILE_AGE_SECONDS = 10


class Rejected(Exception):
    """The bundle was refused before anything changed."""


class Log:
    def __init__(self, state_dir):
        self.file = open(os.path.join(state_dir, "apply.log"), "a", encoding="utf-8")

    def __call__(self, message):
        line = f"{time.strftime('%Y-%m-%dT%H:%M:%S')} mail-platform-apply: {message}"
        print(line, file=sys.stderr, flush=True)
        self.file.write(line + "\n")
        self.file.flush()


def bundle_id(bundle):
    """The content hash: SHA-256 of the canonical JSON of everything but the id."""
    body = {key: bundle[key] for key in sorted(bundle) if key != "id"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")).hexdigest()


def load_bundle(path):
    with open(path, encoding="utf-8") as handle:
        bundle = json.load(handle)
    if bundle.get("format") != FORMAT:
        raise Rejected(f"not a {FORMAT} bundle: format is {bundle.get('format')!r}")
    if bundle_id(bundle) != bundle.get("id"):
        raise Rejected("the bundle's content does not match its id (corrupted or edited)")
    for entry in bundle["files"]:
        if not os.path.isabs(entry["path"]) or ".." in entry["path"].split("/"):
            raise Rejected(f"file path {entry['path']!r} is not absolute and clean")
    return bundle


def fetch(url, work_dir):
    target = os.path.join(work_dir, "bundle.json")
    if url.startswith("s3://"):
        # The host's AWS client (boto3), installed beside this script by the user data and every bundle.
        result = subprocess.run(["mail-platform-aws", "s3-get", url, target], capture_output=True, text=True)
        if result.returncode != 0:
            raise Rejected(f"cannot fetch {url}: {result.stderr.strip()}")
        return target
    return url


def age(path):
    then = time.time() - FILE_AGE_SECONDS
    os.utime(path, (then, then))


def write_file(path, content, mode):
    """Write next to the target, then rename over it: readers see the old file or the new one."""
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".mail-platform-")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(temporary, int(mode, 8))
    age(temporary)
    os.replace(temporary, path)


def run_before_install(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True)
    except FileNotFoundError:  # packages come with the first boot: new ones need a new instance
        raise Rejected(f"{argv[0]} is not installed on this host: a change that needs new packages takes effect on a replaced instance")


def run_checks(commands, stage, log):
    for command in commands:
        argv = [part.replace("{stage}", stage) for part in command]
        result = run_before_install(argv)
        problem = result.returncode != 0 or result.stderr.strip() != ""
        log(f"check {' '.join(command)}: {'FAILED' if problem else 'ok'}")
        if problem:
            detail = (result.stderr.strip() or result.stdout.strip()).splitlines()[-5:]
            raise Rejected(f"{' '.join(argv)} failed (exit {result.returncode}): {' | '.join(detail)}")


def check_new_listeners_bindable(bundle, state):
    """A listener Postfix cannot bind on reload makes its master exit: refuse such a bundle first."""
    previous = {tuple(l) for l in state.get("listeners", [])}
    for address, port in bundle.get("listeners", []):
        if (address, port) in previous:
            continue
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, port))
        except OSError as error:
            raise Rejected(f"new listener {address}:{port} cannot be bound ({error.strerror}); a reload would stop the daemon")
        finally:
            probe.close()


def listeners_answer(listeners, timeout_seconds):
    deadline = time.time() + timeout_seconds
    missing = list(listeners)
    while missing and time.time() < deadline:
        still = []
        for address, port in missing:
            try:
                with socket.create_connection((address, port), timeout=1):
                    pass
            except OSError:
                still.append((address, port))
        missing = still
        if missing:
            time.sleep(0.2)
    return missing


def run_commands(commands, log, what):
    for command in commands:
        try:
            result = subprocess.run(command, capture_output=True, text=True)
        except OSError as error:  # a program the restored files no longer have (a rollback)
            result = subprocess.CompletedProcess(command, 127, "", str(error))
        log(f"{what} {' '.join(command)}: exit {result.returncode}")
        if result.returncode != 0:
            return f"{' '.join(command)} failed: {(result.stderr or result.stdout).strip()}"
    return None


def postconf_values(text):
    """name -> value of a main.cf text (continuation lines start with blanks)."""
    values, name = {}, None
    for line in text.split("\n"):
        if line.startswith("#") or not line.strip():
            name = None
        elif line[0] in " \t" and name is not None:
            values[name] += " " + line.strip()
        elif "=" in line:
            name, value = (part.strip() for part in line.split("=", 1))
            values[name] = value
    return values


def listed(value):
    return [part for part in value.replace(",", " ").split() if part]


def sender_transports(config_dir, main_cf):
    """@domain -> transport of the sender-dependent default transport table (texthash)."""
    table = main_cf.get("sender_dependent_default_transport_maps", "")
    if not table.startswith("texthash:"):
        return {}
    path = table[len("texthash:") :].replace("${config_directory}", config_dir).replace("$config_directory", config_dir)
    transports = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            fields = line.split()
            if len(fields) >= 2 and not fields[0].startswith("#"):
                transports[fields[0].lower()] = fields[1].split(":", 1)[0]
    return transports


def release_resumed_transports(bundle, backup, log, rounds=10):
    """
    Deliver now the mail that waited for a transport this bundle takes out of defer_transports
    (a resumed group). Only that mail: a whole-queue flush (postqueue -f) would also override
    defer_transports for the groups that stay paused. Queue ids are flushed one by one
    (postqueue -i); a queue manager that has not yet re-read main.cf after the reload defers
    them again, so the step repeats, a bounded number of times, until none waits.
    """
    main_cf_paths = [f["path"] for f in bundle["files"] if f["path"].endswith("/postfix/main.cf")]
    for path in main_cf_paths:
        before = postconf_values(backup[path][0]) if backup.get(path) else {}
        with open(path, encoding="utf-8") as handle:
            after = postconf_values(handle.read())
        released = set(listed(before.get("defer_transports", ""))) - set(listed(after.get("defer_transports", "")))
        if not released:
            continue
        config_dir = os.path.dirname(path)
        by_sender = sender_transports(config_dir, after)
        default = after.get("default_transport", "smtp")
        flushed = set()
        for _ in range(rounds):
            listing = subprocess.run(["postqueue", "-c", config_dir, "-j"], capture_output=True, text=True)
            waiting = []
            for line in listing.stdout.splitlines():
                message = json.loads(line)
                if message.get("queue_name") != "deferred":
                    continue
                if not any(r.get("delay_reason") == "deferred transport" for r in message.get("recipients", [])):
                    continue
                sender = message.get("sender", "")
                domain = "@" + sender.rsplit("@", 1)[1].lower() if "@" in sender else None
                if by_sender.get(domain, default) in released:
                    waiting.append(message["queue_id"])
            if not waiting:
                break
            for queue_id in waiting:
                subprocess.run(["postqueue", "-c", config_dir, "-i", queue_id], capture_output=True, text=True)
            flushed.update(waiting)
            time.sleep(1)
        else:
            log(f"release: mail of {', '.join(sorted(released))} still waits after {rounds} flushes; postqueue -i it by hand")
        log(f"release {', '.join(sorted(released))}: flushed {len(flushed)} waiting message(s)")


def read_state(state_dir):
    try:
        with open(os.path.join(state_dir, "applied.json"), encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return {"id": None, "paths": [], "listeners": []}


def write_state(state_dir, bundle):
    state = {"id": bundle["id"], "paths": [f["path"] for f in bundle["files"]], "listeners": bundle.get("listeners", [])}
    write_file(os.path.join(state_dir, "applied.json"), json.dumps(state, indent=2) + "\n", "0600")


def on_disk_matches(bundle):
    for entry in bundle["files"]:
        try:
            with open(entry["path"], encoding="utf-8", newline="") as handle:
                if handle.read() != entry["content"]:
                    return False
        except FileNotFoundError:
            return False
    return True


def apply(bundle, state_dir, log, reload_enabled=True):
    state = read_state(state_dir)
    if state["id"] == bundle["id"] and on_disk_matches(bundle):
        log(f"bundle {bundle['id'][:12]} is already applied: nothing to do")
        return 0

    work = tempfile.mkdtemp(dir=state_dir, prefix="stage-")
    try:
        stage = os.path.join(work, "root")
        for entry in bundle["files"]:
            write_file(stage + entry["path"], entry["content"], entry["mode"])
        log(f"staged {len(bundle['files'])} files of bundle {bundle['id'][:12]}")
        for command in bundle.get("prepare", []):
            argv = [part.replace("{stage}", stage) for part in command]
            result = run_before_install(argv)
            log(f"prepare {' '.join(command)}: exit {result.returncode}")
            if result.returncode != 0:
                raise Rejected(f"{' '.join(argv)} failed (exit {result.returncode}): {(result.stderr or result.stdout).strip()}")
        run_checks(bundle.get("validate", []), stage, log)
        if reload_enabled:
            check_new_listeners_bindable(bundle, state)

        # Back up what is there now: every path of the new bundle and of the applied one.
        backup = {}
        for path in sorted(set(state["paths"]) | {f["path"] for f in bundle["files"]}):
            if os.path.exists(path):
                with open(path, encoding="utf-8", newline="") as handle:
                    backup[path] = (handle.read(), oct(os.stat(path).st_mode & 0o777)[2:].zfill(4))
            else:
                backup[path] = None

        def restore():
            for path, saved in backup.items():
                if saved is None:
                    if os.path.exists(path):
                        os.remove(path)
                else:
                    write_file(path, saved[0], saved[1])

        for entry in bundle["files"]:
            write_file(entry["path"], entry["content"], entry["mode"])
        for path in set(state["paths"]) - {f["path"] for f in bundle["files"]}:
            if os.path.exists(path):
                os.remove(path)
        log(f"installed {len(bundle['files'])} files")

        if reload_enabled:
            failure = run_commands(bundle.get("reload", []), log, "reload")
            missing = [] if failure else listeners_answer([tuple(l) for l in bundle.get("listeners", [])], 20)
            if failure or missing:
                reason = failure or "not listening after reload: " + ", ".join(f"{a}:{p}" for a, p in missing)
                log(f"rolling back: {reason}")
                restore()
                previous_listeners = [tuple(l) for l in state.get("listeners", [])]
                failure_again = run_commands(bundle.get("reload", []), log, "reload (rollback)")
                missing_again = [] if failure_again else listeners_answer(previous_listeners, 20)
                if failure_again or missing_again:
                    # A daemon may have exited on the bad configuration: start what is not running.
                    for command in bundle.get("start", []):
                        result = subprocess.run(command, capture_output=True, text=True)
                        log(f"start (rollback) {' '.join(command)}: exit {result.returncode}")
                    missing_again = listeners_answer(previous_listeners, 30)
                if missing_again:
                    log("ROLLBACK FAILED: not listening with the previous configuration either: " + ", ".join(f"{a}:{p}" for a, p in missing_again))
                    return 4
                log(f"rolled back to {str(state['id'])[:12]}; the previous configuration serves")
                return 3
        if reload_enabled:
            release_resumed_transports(bundle, backup, log)
        write_state(state_dir, bundle)
        log(f"applied bundle {bundle['id'][:12]}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description="Apply a mail-platform configuration bundle safely.")
    parser.add_argument("bundle", help="bundle file, or s3://bucket/key to fetch")
    parser.add_argument("--state-dir", default="/var/lib/mail-platform", help="backups, lock and applied state")
    parser.add_argument("--no-reload", action="store_true", help="install without reloading (first boot: daemons not started yet)")
    args = parser.parse_args()

    os.makedirs(args.state_dir, mode=0o700, exist_ok=True)
    log = Log(args.state_dir)
    with open(os.path.join(args.state_dir, "lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not args.no_reload and os.path.exists(os.path.join(args.state_dir, "setup-incomplete")):
            write_file(os.path.join(args.state_dir, "pending-bundle"), args.bundle + "\n", "0600")
            log(f"first-boot setup still running: {args.bundle} is left for it to apply")
            return 0
        work = tempfile.mkdtemp(dir=args.state_dir, prefix="fetch-")
        try:
            bundle = load_bundle(fetch(args.bundle, work))
            return apply(bundle, args.state_dir, log, reload_enabled=not args.no_reload)
        except Rejected as error:
            log(f"REJECTED, nothing changed: {error}")
            return 2
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
