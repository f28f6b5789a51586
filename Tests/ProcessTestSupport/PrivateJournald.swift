/// A real systemd-journald of a test's own: shell lines, run inside `unshare --mount
/// --propagation private`, that mount a fresh /run, configure a volatile journal without rate
/// limits or forwarding, start journald (its PID in `$jpid`) and wait for its socket.
public enum PrivateJournald {
    public static let journald = "/lib/systemd/systemd-journald"

    public static let startScript = """
        mount -t tmpfs tmpfs /run
        mkdir -p /run/systemd/journal /run/systemd/journald.conf.d /run/log/journal
        printf '[Journal]\\nStorage=volatile\\nReadKMsg=no\\nRateLimitBurst=0\\nForwardToSyslog=no\\nForwardToWall=no\\n' > /run/systemd/journald.conf.d/50-test.conf
        \(journald) & jpid=$!
        for i in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.05; done
        """
}
