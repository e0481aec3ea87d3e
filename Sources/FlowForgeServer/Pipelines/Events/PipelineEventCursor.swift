/// How far an event stream of a pipeline got, and the `id:` of each event: the state after that event.
///
/// The id is the whole position, not a counter: which of the pipeline's phases were sent, and for each step
/// (by its position in the pipeline) whether it was opened or closed and how many bytes of its log were
/// sent as lines. Everything it points into is durable and shared — step states in the database, offsets
/// in the log store — so any replica resumes a stream from `Last-Event-ID` with exactly the events after
/// it, and a stream holds no state beyond this.
///
/// Written as `P.Sn.Sn…`: `P` the pipeline phase (0 nothing sent, 1 pending, 2 running, 3 final, 4 ended),
/// then per step a letter (`n` nothing sent, `r` opened, `d` closed) and the log offset; steps after the
/// last one mentioned are at `n0`.
struct PipelineEventCursor: Equatable, Sendable {
    enum PipelinePhase: Int, Comparable, Sendable {
        case none = 0, pending, running, final, ended

        static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    enum StepPhase: Character, Sendable {
        case none = "n", opened = "r", closed = "d"
    }

    struct Step: Equatable, Sendable {
        var phase: StepPhase = .none
        var offset = 0
    }

    var pipeline: PipelinePhase = .none
    var steps: [Step] = []

    init() {}

    /// Nil when `id` is not one this stream writes.
    init?(id: String) {
        let parts = id.split(separator: ".", omittingEmptySubsequences: false)
        guard let first = parts.first, first.count == 1, let phase = Int(first).flatMap(PipelinePhase.init(rawValue:)) else { return nil }
        pipeline = phase
        for part in parts.dropFirst() {
            guard let letter = part.first, let stepPhase = StepPhase(rawValue: letter),
                part.count > 1, part.count <= 20, let offset = Int(part.dropFirst()), offset >= 0,
                part.dropFirst().allSatisfy(\.isASCII)
            else { return nil }
            steps.append(Step(phase: stepPhase, offset: offset))
        }
        // Thousands of steps is no pipeline: refuse instead of allocating for them.
        guard steps.count <= 10_000 else { return nil }
    }

    var id: String {
        var last = steps.count
        while last > 0, steps[last - 1] == Step() { last -= 1 }
        var text = String(pipeline.rawValue)
        for step in steps[..<last] {
            text.append(".")
            text.append(step.phase.rawValue)
            text += String(step.offset)
        }
        return text
    }

    subscript(position: Int) -> Step {
        get { position < steps.count ? steps[position] : Step() }
        set {
            if position >= steps.count { steps.append(contentsOf: repeatElement(Step(), count: position + 1 - steps.count)) }
            steps[position] = newValue
        }
    }
}
