import Foundation
import Yams

/// An operator's plans file (`FLOWFORGE_PLANS_FILE`), YAML or JSON (JSON is read as YAML):
///
/// ```yaml
/// plans:
///   - id: free
///     name: Free
///     price: 0                # USD per month
///     pipeline_runs: 50       # per calendar month; null = unlimited
///     compute_minutes: 100    # per calendar month; null = unlimited
///     concurrent_builds: 1
///     features: [Basic CI/CD]
///     step_limits: {memory: 1g, cpus: 1, pids: 512}   # optional
///     storage: {artifacts: 1g, cache: 512m}            # optional: all artifacts kept; one cache
/// ```
extension PlanCatalog {
    static let planKeys = ["id", "name", "price", "pipeline_runs", "compute_minutes", "concurrent_builds", "features", "step_limits", "storage"]
    static let storageKeys = ["artifacts", "cache"]
    static let stepLimitKeys = ["memory", "cpus", "pids"]

    /// Reads and checks a plans file. Throws a `ConfigError` at the line of the first problem: invalid
    /// YAML/JSON, unknown or missing keys, values of the wrong kind or out of range, an id used twice, or no
    /// `free` plan (new accounts get it, and so does an account whose subscription ends).
    public static func parse(_ text: String, fileName: String) throws(ConfigError) -> PlanCatalog {
        let reader = ConfigReader(file: fileName)
        let root: Node?
        do {
            root = try Parser(yaml: text, encoding: .utf8).singleRoot()
        } catch let error as YamlError {
            throw ConfigError(yaml: error, file: fileName)
        } catch {
            throw ConfigError(file: fileName, line: nil, message: "could not read the file: \(error)")
        }
        guard let root, !ConfigReader.isNull(root) else {
            throw ConfigError(file: fileName, line: nil, message: "the file is empty; it needs a `plans:` list")
        }
        var list = root
        if case .mapping = root {
            guard let plans = try reader.entries(root, path: "the top level", known: ["plans"]).first?.value else {
                throw reader.error(root, "the file has no `plans:` list")
            }
            list = plans
        }
        guard case .sequence(let items) = list, !items.isEmpty else {
            throw reader.error(list, "plans must be a non-empty list of plans (`- id: free …`), not \(reader.kind(list))")
        }
        var plans: [SubscriptionPlan] = []
        for (index, item) in items.enumerated() {
            let plan = try PlanReader(reader: reader, path: "plans[\(index)]").plan(item)
            if let earlier = plans.firstIndex(where: { $0.id == plan.id }) {
                throw reader.error(item, "plans[\(index)] has the id `\(plan.id)` of plans[\(earlier)]; each plan needs its own id")
            }
            plans.append(plan)
        }
        guard plans.contains(where: { $0.id == freePlanID }) else {
            throw reader.error(list, """
                there is no plan with id `\(freePlanID)`; FlowForge gives it to new accounts and to accounts whose \
                subscription ends, so keep one (its price may be 0)
                """)
        }
        return PlanCatalog(plans: plans)
    }
}

/// Reads one plan of a plans file.
struct PlanReader {
    let reader: ConfigReader
    let path: String

    func plan(_ node: Node) throws(ConfigError) -> SubscriptionPlan {
        let entries = try reader.entries(node, path: path, known: PlanCatalog.planKeys)
        var values: [String: Node] = [:]
        for entry in entries { values[entry.key] = entry.value }
        for key in ["id", "name", "price", "pipeline_runs", "compute_minutes", "concurrent_builds"] where values[key] == nil {
            throw reader.error(node, "\(path) has no `\(key)`; every plan needs \(PlanCatalog.planKeys.prefix(6).joined(separator: ", "))")
        }
        let id = try reader.string(values["id"]!, path: "\(path).id")
        guard Self.isPlanID(id) else {
            throw reader.error(values["id"], "\(path).id `\(id)` must be 1 to 32 lower-case letters, digits, `-` or `_`, starting with a letter or digit")
        }
        let name = try reader.string(values["name"]!, path: "\(path).name")
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw reader.error(values["name"], "\(path).name is empty; give the plan a name to show customers")
        }
        var features: [String] = []
        if let node = values["features"] {
            features = try reader.strings(node, path: "\(path).features")
        }
        let plan = SubscriptionPlan(
            id: id, name: name, priceCents: try priceCents(values["price"]!),
            pipelineRuns: try limit(values["pipeline_runs"]!, "pipeline_runs"),
            computeMinutes: try limit(values["compute_minutes"]!, "compute_minutes"),
            concurrentBuilds: try whole(values["concurrent_builds"]!, "concurrent_builds", 1...1_000),
            features: features,
            stepLimits: try values["step_limits"].map(stepLimits) ?? .standard
        )
        return plan.storing(try values["storage"].map(storage) ?? .standard)
    }

    func storage(_ node: Node) throws(ConfigError) -> PlanStorageLimits {
        var limits = PlanStorageLimits.standard
        for (key, _, value) in try reader.entries(node, path: "\(path).storage", known: PlanCatalog.storageKeys) {
            guard let bytes = Self.bytes(value), bytes >= 0 else {
                throw reader.error(value, "\(path).storage.\(key) must be a size written like 512m or 10g (or a number of bytes, 0 for none)")
            }
            if key == "artifacts" { limits.artifactBytes = bytes } else { limits.cacheBytes = bytes }
        }
        return limits
    }

    /// US dollars per month with at most two decimals, as cents.
    func priceCents(_ node: Node) throws(ConfigError) -> Int {
        guard let value = Self.number(node), value >= 0, value <= 1_000_000 else {
            throw reader.error(node, "\(path).price must be a number of US dollars per month from 0 to 1000000, such as 29 or 9.5")
        }
        let cents = (value * 100).rounded()
        guard abs(value * 100 - cents) < 0.000_001 else {
            throw reader.error(node, "\(path).price has more than two decimals; write whole cents, such as 9.99")
        }
        return Int(cents)
    }

    /// A monthly limit: a whole number, or null for unlimited.
    func limit(_ node: Node, _ key: String) throws(ConfigError) -> Int? {
        if ConfigReader.isNull(node) { return nil }
        guard let value = Self.integer(node), value >= 0 else {
            throw reader.error(node, "\(path).\(key) must be a whole number of at least 0, or null for unlimited")
        }
        return value
    }

    func whole(_ node: Node, _ key: String, _ range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let value = Self.integer(node), range.contains(value) else {
            throw reader.error(node, "\(path).\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func stepLimits(_ node: Node) throws(ConfigError) -> PlanStepLimits {
        var limits = PlanStepLimits.standard
        for (key, _, value) in try reader.entries(node, path: "\(path).step_limits", known: PlanCatalog.stepLimitKeys) {
            switch key {
            case "memory":
                guard let bytes = Self.bytes(value), (16 << 20 ... 1 << 40).contains(bytes) else {
                    throw reader.error(value, "\(path).step_limits.memory must be a size from 16m to 1t, written like 512m or 2g (or a number of bytes)")
                }
                limits.memoryBytes = bytes
            case "cpus":
                guard let cpus = Self.number(value), cpus >= 0.01, cpus <= 1024 else {
                    throw reader.error(value, "\(path).step_limits.cpus must be a number of CPUs from 0.01 to 1024, such as 2 or 0.5")
                }
                limits.nanoCPUs = Int64((cpus * 1_000_000_000).rounded())
            default:
                limits.pids = try whole(value, "step_limits.pids", 16...1_000_000)
            }
        }
        return limits
    }

    static func isPlanID(_ id: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_")
        guard let first = id.first, id.count <= 32, first != "-", first != "_" else { return false }
        return id.allSatisfy(allowed.contains)
    }

    /// A plain (unquoted) integer scalar.
    static func integer(_ node: Node) -> Int? {
        guard node.tag.rawValue == Tag.Name.int.rawValue else { return nil }
        return node.int
    }

    /// A plain integer or decimal scalar.
    static func number(_ node: Node) -> Double? {
        if let value = integer(node) { return Double(value) }
        guard node.tag.rawValue == Tag.Name.float.rawValue, let value = node.float, value.isFinite else { return nil }
        return value
    }

    /// A number of bytes, or a size with a `k`, `m`, `g` or `t` suffix (powers of 1024).
    static func bytes(_ node: Node) -> Int64? {
        if let value = integer(node) { return Int64(value) }
        guard case .scalar(let scalar) = node else { return nil }
        let text = scalar.string.lowercased()
        let units: [Character: Int64] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40]
        guard let last = text.last, let unit = units[last], let number = Int64(text.dropLast()), number > 0,
              number <= (1 << 40) / unit
        else { return nil }
        return number * unit
    }
}
