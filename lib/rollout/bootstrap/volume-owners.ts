/**
 * Owners of the files on the mail data volume, by name. The volume outlives the instance: a
 * replacement (another Debian release, another package set) may give the same system users other
 * numbers, because packages create them in install order. Files written by the previous host would
 * then belong to nobody or, worse, to another daemon. The setup records this host's numbers on the
 * volume and, on a volume recorded by another host, renumbers the files before any daemon reads them.
 */

/**
 * The accounts that own files in the queue and the mailboxes. `_rspamd` owns its milter sockets'
 * directory and sockets: rspamd replaces a stale socket only when it may write it, so a socket left
 * under the previous host's number would keep rspamd from starting.
 */
export const VOLUME_OWNER_USERS = ["postfix", "vmail", "opendkim", "_rspamd", "dovecot", "dovenull"] as const;
/** The groups that own files in the queue and the mailboxes. */
export const VOLUME_OWNER_GROUPS = ["postfix", "postdrop", "vmail", "opendkim", "dovecot", "dovenull"] as const;

/**
 * Numbers no account uses, through which files pass on the way to their new numbers, so that two
 * accounts whose numbers were swapped do not end up as one.
 */
const PARKING_OFFSET = 3_000_000_000;

/**
 * A bash function `renumber_volume_owners <record> <root>`: reads the record (`user|group name
 * number` per line) the previous host wrote, moves every file under `<root>` whose owner or group
 * is now numbered differently, and writes this host's numbers to the record. Accounts this host
 * lacks are left as they are. With no record (a new volume) it only writes one.
 */
export function renumberVolumeOwnersFunction(): string {
  return `renumber_volume_owners() {
  local record=$1 root=$2 kind name old new move moves=()
  if [ -f "$record" ]; then
    while read -r kind name old; do
      case "$kind" in
        user) new=$(id -u "$name" 2>/dev/null) || continue ;;
        group) new=$(getent group "$name" | cut -d: -f3) || continue ;;
        *) continue ;;
      esac
      if [ -n "$new" ] && [ "$new" != "$old" ]; then moves+=("$kind $old $new"); fi
    done < "$record"
  fi
  # "+N" is a number even where an account is named N.
  for move in "\${moves[@]}"; do
    read -r kind old new <<<"$move"
    echo "data volume: $kind number $old is $new on this host; renumbering its files"
    if [ "$kind" = user ]; then chown -R -h --from="+$old" "+$((${PARKING_OFFSET} + old))" "$root"
    else chown -R -h --from=":+$old" ":+$((${PARKING_OFFSET} + old))" "$root"; fi
  done
  for move in "\${moves[@]}"; do
    read -r kind old new <<<"$move"
    if [ "$kind" = user ]; then chown -R -h --from="+$((${PARKING_OFFSET} + old))" "+$new" "$root"
    else chown -R -h --from=":+$((${PARKING_OFFSET} + old))" ":+$new" "$root"; fi
  done
  {
    for name in ${VOLUME_OWNER_USERS.join(" ")}; do
      if id -u "$name" >/dev/null 2>&1; then echo "user $name $(id -u "$name")"; fi
    done
    for name in ${VOLUME_OWNER_GROUPS.join(" ")}; do
      if getent group "$name" >/dev/null; then echo "group $name $(getent group "$name" | cut -d: -f3)"; fi
    done
  } > "$record.new"
  mv "$record.new" "$record"
}`;
}
