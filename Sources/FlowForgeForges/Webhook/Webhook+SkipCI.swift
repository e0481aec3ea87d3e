/// The commit-message convention for "do not build this": `[skip ci]` or `[ci skip]`, as GitHub Actions,
/// GitLab CI and Woodpecker honour it, so a message written for one CI also works here.
enum SkipCI {
    /// The `ignored` reason when `message` asks to skip, else nil. Matching ignores case.
    static func reason(for message: String?) -> String? {
        guard let message else { return nil }
        let lowered = message.lowercased()
        for marker in ["[skip ci]", "[ci skip]"] where lowered.contains(marker) {
            return "\(marker) in commit message"
        }
        return nil
    }

    /// `.ignored` for a trigger whose message asks to skip, otherwise `.trigger`.
    static func outcome(for trigger: Trigger) -> WebhookOutcome {
        if let reason = reason(for: trigger.commitMessage) {
            return .ignored(reason: reason)
        }
        return .trigger(trigger)
    }
}
