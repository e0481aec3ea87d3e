import FlowForgeCore
import Foundation

extension AppConfiguration {
    /// `FLOWFORGE_PLANS_FILE`: a YAML or JSON file that replaces the product's plans catalog. Checked whole
    /// at start-up, so a typo stops the server with the file's line instead of selling a wrong plan.
    mutating func readPlanSettings(_ env: EnvironmentReader) throws {
        guard let path = env.string("FLOWFORGE_PLANS_FILE") else { return }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(
                variable: "FLOWFORGE_PLANS_FILE",
                message: "cannot read \(path) as UTF-8 text (\(error.localizedDescription)); point it at a readable YAML or JSON plans file, or unset it for the standard plans")
        }
        do {
            plans = try PlanCatalog.parse(text, fileName: path)
        } catch {
            throw ConfigurationError(variable: "FLOWFORGE_PLANS_FILE", message: "\(error.description); fix the file or unset the variable for the standard plans")
        }
    }
}
