import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The step and service processes running now, by pipeline id, so that `remove` and `reap` can end them.
final class LocalProcessTable: Sendable {
    private let running = Mutex<[String: [String: LocalProcess]]>([:])

    func add(_ process: LocalProcess, pipelineID: String, step: String) {
        running.withLock { $0[pipelineID, default: [:]][step] = process }
    }

    func remove(pipelineID: String, step: String) {
        running.withLock { table in
            table[pipelineID]?[step] = nil
            if table[pipelineID]?.isEmpty == true { table[pipelineID] = nil }
        }
    }

    func processes(of pipelineID: String) -> [LocalProcess] {
        running.withLock { Array(($0[pipelineID] ?? [:]).values) }
    }

    func process(of pipelineID: String, step: String) -> LocalProcess? {
        running.withLock { $0[pipelineID]?[step] }
    }

    var pipelineIDs: Set<String> { running.withLock { Set($0.keys) } }

    /// SIGKILL to each group of the pipeline's; how many there were. Their steps' waits then return.
    func kill(pipelineID: String) -> Int {
        let processes = processes(of: pipelineID)
        for process in processes { process.signalGroup(SIGKILL) }
        return processes.count
    }
}
