/// A `when:` block: the trigger must match every filter given. An absent filter matches everything.
public struct WhenCondition: Sendable, Equatable {
    /// Globs over the branch name: for `tag` events the tag name, for pull requests the *target* branch
    /// (the branch the change is proposed for), as in Woodpecker and Drone.
    public var branch: GlobFilter
    /// Event names; see `TriggerContext.knownEvents`. Compared exactly, not as globs.
    public var event: GlobFilter
    /// Globs over the files the push or pull request changed: it matches when some changed file passes the
    /// filter. When the changed files are not known (a manual or API run), it matches.
    public var path: GlobFilter
    /// Step only, decided while the pipeline runs: the pipeline states (`success`, `failure`) in which the
    /// step runs. Empty means `[success]`.
    public var status: [String]

    /// The values `status` may hold.
    public static let knownStatuses = ["success", "failure"]

    public init(branch: GlobFilter = .any, event: GlobFilter = .any, path: GlobFilter = .any, status: [String] = []) {
        self.branch = branch
        self.event = event
        self.path = path
        self.status = status
    }

    /// True when the trigger passes the branch, event and path filters (`status` is for the run to apply).
    public func matches(_ context: TriggerContext) -> Bool {
        let branchName = context.event == "pull_request" ? (context.targetBranch ?? context.branch) : context.branch
        guard branch.matches(branchName, using: Glob.matches), event.matches(context.event, using: ==) else { return false }
        guard path != .any, let files = context.changedFiles else { return true }
        return files.contains { path.matches($0, using: Glob.matches) }
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
