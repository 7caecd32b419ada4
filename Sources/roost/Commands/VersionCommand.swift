import ArgumentParser
import RoostCore

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print Roost's version.")

    func run() {
        print("roost \(RoostVersion.current)")
    }
}
