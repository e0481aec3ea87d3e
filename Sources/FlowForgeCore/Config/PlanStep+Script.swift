extension PlanStep {
    /// A POSIX `sh` script that runs `commands` in order and stops at the first that fails.
    ///
    /// Each command is echoed first as `+ <command>`. The echo passes the command to `printf` inside single
    /// quotes, where the shell expands nothing, so quotes, `$VAR`, backticks and newlines in a command are
    /// printed as written and never executed by the echo itself. Run it as `/bin/sh -c <script>`.
    public var script: String {
        var lines = ["set -e"]
        for command in commands {
            lines.append("printf '%s\\n' " + Self.shellQuoted("+ " + command))
            lines.append(command)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` as one single-quoted shell word: `'` is the only character to escape, as `'\''`.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacing("'", with: "'\\''") + "'"
    }
}
