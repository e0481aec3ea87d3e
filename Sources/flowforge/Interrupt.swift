import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT), SIGTERM, and the terminal going away (SIGHUP) or Ctrl-\ (SIGQUIT) for `flowforge run`:
/// the steps' sessions are not the terminal's, so they do not get the signal themselves; the run is
/// cancelled instead, which stops them and cleans up.
enum Interrupt {
    static func cancellingOnSignal<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
        let task = Task { await body() }
        let sources = [SIGINT, SIGTERM, SIGHUP, SIGQUIT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                Terminal.standardError("flowforge: interrupted; stopping the running steps")
                task.cancel()
            }
            source.resume()
            return source
        }
        let result = await task.value
        sources.forEach { $0.cancel() }
        return result
    }
}
