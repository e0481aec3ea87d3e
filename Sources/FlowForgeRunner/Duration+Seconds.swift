extension Duration {
    /// Whole or fractional seconds for messages: "5s", "1.5s", "0.25s".
    var secondsDescription: String {
        let (seconds, attoseconds) = components
        let hundredths = attoseconds / 10_000_000_000_000_000
        if hundredths == 0 { return "\(seconds)s" }
        var fraction = hundredths < 10 ? "0\(hundredths)" : "\(hundredths)"
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(seconds).\(fraction)s"
    }
}
