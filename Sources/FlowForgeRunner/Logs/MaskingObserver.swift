import Foundation

/// A `RunObserver` that hides secrets' values in step output before passing it on, so that what is stored
/// and streamed (everything behind `base`) never holds them. Each step has its own `SecretMasker`; what a
/// masker still holds back when its step finishes is released before `stepFinished`. Every step's output
/// is masked with every secret of the run, also the ones it did not ask for: steps share the workspace.
public struct MaskingObserver<Base: RunObserver>: RunObserver {
    let base: Base
    private let maskers: StepMaskers

    public init(base: Base, secrets: some Sequence<String>) {
        self.base = base
        self.maskers = StepMaskers(template: SecretMasker(secrets: secrets))
    }

    public func stepStarted(_ step: String, at: Date) async {
        await base.stepStarted(step, at: at)
    }

    public func stepOutput(_ step: String, _ chunk: [UInt8]) async {
        let masked = await maskers.feed(step, chunk)
        if !masked.isEmpty { await base.stepOutput(step, masked) }
    }

    public func stepFinished(_ step: String, exitCode: Int32?, at: Date) async {
        let rest = await maskers.finish(step)
        if !rest.isEmpty { await base.stepOutput(step, rest) }
        await base.stepFinished(step, exitCode: exitCode, at: at)
    }
}

/// The maskers of the steps in progress (steps may run in parallel).
private actor StepMaskers {
    let template: SecretMasker
    var running: [String: SecretMasker] = [:]

    init(template: SecretMasker) {
        self.template = template
    }

    func feed(_ step: String, _ chunk: [UInt8]) -> [UInt8] {
        if template.isEmpty { return chunk }
        var masker = running.removeValue(forKey: step) ?? template
        let output = masker.feed(chunk)
        running[step] = masker
        return output
    }

    func finish(_ step: String) -> [UInt8] {
        guard var masker = running.removeValue(forKey: step) else { return [] }
        return masker.finish()
    }
}
