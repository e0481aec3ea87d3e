import NIOCore

/// A task executor that runs its jobs on one NIO event loop.
///
/// Contract: a task that prefers it (`withTaskExecutorPreference`) runs its nonisolated async code, the
/// database drivers' included, on `loop`, one job at a time in the loop's order. When `loop` is also the loop
/// of the connection the task queries, a query's answer resumes the task on the thread that read it: no hop to
/// the shared cooperative pool, where the continuation would wait behind every request's work. Only for
/// short, non-blocking work (it shares the loop with that loop's I/O).
final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
