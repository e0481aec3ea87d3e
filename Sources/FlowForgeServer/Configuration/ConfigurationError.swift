/// A bad configuration value: start-up stops with this message, which names the variable and says what fits.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let variable: String
    public let message: String

    public var description: String { "\(variable): \(message)" }
}
