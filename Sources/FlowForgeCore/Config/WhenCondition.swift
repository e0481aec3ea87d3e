/// A `when:` block: the trigger must match every filter given. An absent filter matches everything.
public struct WhenCondition: Sendable, Equatable {
    /// Globs over the branch name (for `tag` events, over the tag name).
    public var branch: GlobFilter
    /// Event names; see `TriggerContext.knownEvents`. Compared exactly, not as globs.
    public var event: GlobFilter

    public init(branch: GlobFilter = .any, event: GlobFilter = .any) {
        self.branch = branch
        self.event = event
    }

    /// True when the trigger passes both filters.
    public func matches(_ context: TriggerContext) -> Bool {
        branch.matches(context.branch, using: Glob.matches) && event.matches(context.event, using: ==)
    }
}

/// An include/exclude list: a value matches when it matches some `include` pattern (or `include` is
/// empty) and no `exclude` pattern.
public struct GlobFilter: Sendable, Equatable {
    public var include: [String]
    public var exclude: [String]

    /// The filter that matches every value.
    public static let any = GlobFilter()

    public init(include: [String] = [], exclude: [String] = []) {
        self.include = include
        self.exclude = exclude
    }

    /// Applies the filter with `match(pattern, value)` deciding what one pattern matches.
    public func matches(_ value: String, using match: (String, String) -> Bool) -> Bool {
        let included = include.isEmpty || include.contains { match($0, value) }
        return included && !exclude.contains { match($0, value) }
    }
}
