import Foundation

@testable import FlowForgeRunner

/// Remembers every observer call in order, and lets a test await a condition on them instead of sleeping.
actor RecordingObserver: RunObserver {
    enum Event: Equatable {
        case started(String)
        case output(String, [UInt8])
        case finished(String, Int32?)
    }

    private(set) var events: [Event] = []
    private var waiters: [(condition: @Sendable ([Event]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []

    func stepStarted(_ step: String, at: Date) { record(.started(step)) }
    func stepOutput(_ step: String, _ chunk: [UInt8]) { record(.output(step, chunk)) }
    func stepFinished(_ step: String, exitCode: Int32?, at: Date) { record(.finished(step, exitCode)) }

    /// All output of one step, chunks joined.
    func output(of step: String) -> String { Self.output(of: step, in: events) }

    /// All output of one step in `events`, chunks joined: how much output one chunk holds is the backend's
    /// choice, so conditions on output look at the whole of it.
    static func output(of step: String, in events: [Event]) -> String {
        String(decoding: events.flatMap { event -> [UInt8] in
            if case .output(step, let chunk) = event { return chunk }
            return []
        }, as: UTF8.self)
    }

    /// The events with consecutive output chunks of a step merged into one, for comparing sequences.
    func timeline() -> [Event] {
        var merged: [Event] = []
        for event in events {
            if case .output(let step, let chunk) = event, case .output(step, let previous)? = merged.last {
                merged[merged.count - 1] = .output(step, previous + chunk)
            } else {
                merged.append(event)
            }
        }
        return merged
    }

    /// Returns once `condition` holds for the events so far.
    func wait(until condition: @escaping @Sendable ([Event]) -> Bool) async {
        if condition(events) { return }
        await withCheckedContinuation { waiters.append((condition, $0)) }
    }

    private func record(_ event: Event) {
        events.append(event)
        let waiting = waiters
        waiters = []
        for waiter in waiting {
            if waiter.condition(events) { waiter.continuation.resume() } else { waiters.append(waiter) }
        }
    }
}
