import FlowForgeCore

extension RunOutcome {
    /// The failure of a pipeline whose service exited while the steps still needed it: every backend ends a
    /// run this way, so a pipeline reads alike wherever it ran.
    static func serviceExited(_ service: PlanService, exitCode: Int32) -> RunOutcome {
        .failure(step: service.logName, message: """
            service \(service.name) exited with code \(exitCode) before the steps ended; its output is in the log \
            under "\(service.logName)"
            """)
    }

    /// The error of a run whose services' ports were not all accepting connections within `timeout`,
    /// naming every service and port not reached.
    static func servicesNotReady(_ services: [PlanService], reached: Set<Int>, timeout: Duration) -> RunOutcome {
        let waiting = services.compactMap { service -> String? in
            let ports = service.ports.filter { !reached.contains($0) }
            guard !ports.isEmpty else { return nil }
            return "\(service.name) (\(ports.count == 1 ? "port" : "ports") \(ports.map(String.init).joined(separator: ", ")))"
        }
        let subject = waiting.count == 1 ? "service \(waiting[0])" : "services " + waiting.joined(separator: ", ")
        return .error("""
            \(subject) did not accept TCP connections on localhost within \(timeout.secondsDescription) \
            (FLOWFORGE_SERVICE_READY_TIMEOUT); check that the service listens on that port (on 0.0.0.0 or \
            127.0.0.1) and see its output in the log, or ask the operator to raise the timeout
            """)
    }
}
