import Foundation

/// The processes among `pids` still running (a zombie waiting for its reaper runs nothing). A SIGKILL is acted
/// on when the process is next scheduled, so this waits for them to go, a few seconds at most.
func stillRunning(_ pids: [Int32]) async throws -> [Int32] {
    func running(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }
    let deadline = ContinuousClock.now + .seconds(5)
    while pids.contains(where: running), ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(20))
    }
    return pids.filter(running)
}
