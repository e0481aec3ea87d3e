import FlowForgeStore

/// The sealing purpose of a secret's value: bound to the row's id, so a sealed value copied into another
/// row (another account's secret) does not open there.
extension UserSecret {
    static func valuePurpose(id: String) -> String { "secrets.value:\(id)" }

    /// The value in the clear, for a pipeline about to run.
    func value(_ box: SecretBox) throws -> String {
        try box.open(valueSealed, purpose: Self.valuePurpose(id: id))
    }
}
