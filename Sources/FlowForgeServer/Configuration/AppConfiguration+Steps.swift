import FlowForgeCore

extension AppConfiguration {
    /// What a step may use and reach: container limits, image registries, the checkout deadline.
    mutating func readStepSettings(_ env: EnvironmentReader) throws {
        let defaults = StepLimits.default
        stepLimits = StepLimits(
            memoryBytes: try env.byteSize("FLOWFORGE_STEP_MEMORY", default: defaults.memoryBytes, range: 16 << 20...(1 << 40)),
            nanoCPUs: try env.cpus("FLOWFORGE_STEP_CPUS", default: defaults.nanoCPUs),
            pids: try env.int("FLOWFORGE_STEP_PIDS", default: defaults.pids, range: 16...1_000_000),
            openFiles: try env.int("FLOWFORGE_STEP_NOFILE", default: defaults.openFiles, range: 64...1_048_576),
            processesPerUser: try env.int("FLOWFORGE_STEP_NPROC", default: defaults.processesPerUser, range: 64...4_194_304),
            logFileBytes: try env.byteSize("FLOWFORGE_STEP_LOG_MAX_SIZE", default: defaults.logFileBytes, range: 64 << 10...(64 << 30)),
            logFiles: try env.int("FLOWFORGE_STEP_LOG_MAX_FILE", default: defaults.logFiles, range: 1...100))
        allowLocalRegistries = try env.bool("FLOWFORGE_ALLOW_LOCAL_REGISTRIES", default: false)
        checkoutTimeoutSeconds = try env.int("FLOWFORGE_CHECKOUT_TIMEOUT", default: 600, range: 1...86_400)
        maxParallelSteps = try env.int("FLOWFORGE_MAX_PARALLEL_STEPS", default: 4, range: 1...64)
        serviceReadyTimeoutSeconds = try env.int("FLOWFORGE_SERVICE_READY_TIMEOUT", default: 60, range: 1...3600)
    }
}

extension EnvironmentReader {
    /// Bytes, written as a number with an optional `k`, `m`, `g` or `t` suffix (powers of 1024), e.g. `2g`.
    func byteSize(_ name: String, default defaultValue: Int64, range: ClosedRange<Int64>) throws -> Int64 {
        guard let text = string(name)?.lowercased() else { return defaultValue }
        let units: [Character: Int64] = ["k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40]
        var digits = Substring(text)
        var unit: Int64 = 1
        if let last = digits.last, let multiplier = units[last] {
            unit = multiplier
            digits = digits.dropLast()
        } else if digits.last == "b" {
            digits = digits.dropLast()
        }
        guard let number = Int64(digits), number > 0, number <= range.upperBound / unit, range.contains(number * unit) else {
            throw ConfigurationError(variable: name, message: "must be a size from \(range.lowerBound) to \(range.upperBound) bytes, written like 512m or 2g, got \"\(text)\"")
        }
        return number * unit
    }

    /// A number of CPUs (`2`, `0.5`) as Docker's billionths of a CPU.
    func cpus(_ name: String, default defaultValue: Int64) throws -> Int64 {
        guard let text = string(name) else { return defaultValue }
        guard let value = Double(text), value >= 0.01, value <= 1024 else {
            throw ConfigurationError(variable: name, message: "must be a number of CPUs from 0.01 to 1024, such as 2 or 0.5, got \"\(text)\"")
        }
        return Int64((value * 1_000_000_000).rounded())
    }
}
