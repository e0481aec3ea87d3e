import FlowForgeCore
import FlowForgeRunner
import Foundation

/// Keeps each step's artifacts when the backend reports the step's end, before passing the end on: backends
/// await `stepFinished` before they start the steps that depend on it, so the files are taken as the step
/// left them. The collector's lines go into the step's own log, ahead of its end.
struct ArtifactObserver<Base: RunObserver>: RunObserver {
    let base: Base
    let collector: ArtifactCollector
    let owner: ArtifactCollector.Owner
    let workspace: String
    /// Step name → its `artifacts:` patterns; steps without any are passed through untouched.
    let patterns: [String: [String]]

    init(base: Base, collector: ArtifactCollector, owner: ArtifactCollector.Owner, workspace: String, plan: Plan) {
        self.base = base
        self.collector = collector
        self.owner = owner
        self.workspace = workspace
        self.patterns = Dictionary(plan.steps.filter { !$0.artifacts.isEmpty }.map { ($0.name, $0.artifacts) }, uniquingKeysWith: { first, _ in first })
    }

    func stepStarted(_ step: String, at: Date) async {
        await base.stepStarted(step, at: at)
    }

    func stepOutput(_ step: String, _ chunk: [UInt8]) async {
        await base.stepOutput(step, chunk)
    }

    func stepFinished(_ step: String, exitCode: Int32?, at: Date) async {
        // A step that never ran its script to the end (no image, timed out, stopped) left nothing to keep.
        if let patterns = patterns[step], exitCode != nil, !Task.isCancelled {
            let text = await collector.collect(step: step, patterns: patterns, workspace: workspace, owner: owner)
            await base.stepOutput(step, Array(text.utf8))
        }
        await base.stepFinished(step, exitCode: exitCode, at: at)
    }
}
