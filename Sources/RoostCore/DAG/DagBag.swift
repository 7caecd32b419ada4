import Foundation

/// The DAGs of a folder (Airflow's name): every `*.yaml` and `*.yml` file in it, read in name order.
/// Holds the valid DAGs and every error of the others; one bad file does not hide the rest. A dag_id
/// defined in two files is an error on the later file, and the first file's DAG is kept.
public struct DagBag: Sendable {
    public var folder: String
    /// Valid DAGs, in file name order.
    public var dags: [DagDefinition]
    /// Every problem found, file by file in name order, each file's in line order.
    public var errors: [DagValidationError]

    public init(folder: String, parser: DagParser) {
        self.folder = folder
        dags = []
        errors = []
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            errors.append(DagValidationError(file: folder, "cannot read the DAG folder (\(Self.reason(error)))"))
            return
        }
        var firstDefinition: [String: (file: String, line: Int?)] = [:]
        for name in names.filter(Self.isDagFile).sorted() {
            let path = (folder as NSString).appendingPathComponent(name)
            let reader = parser.read(file: path)
            errors += reader.errors
            guard let dag = reader.dag else { continue }
            if let first = firstDefinition[dag.dagID] {
                let at = first.line.map { "\(first.file):\($0)" } ?? first.file
                errors.append(DagValidationError(file: path, line: reader.dagIDLine, dagID: dag.dagID,
                                                 "dag_id '\(dag.dagID)' is already defined in \(at)"))
                continue
            }
            firstDefinition[dag.dagID] = (path, reader.dagIDLine)
            dags.append(dag)
        }
    }

    /// YAML files, not hidden ones (editor swap and lock files start with a dot).
    static func isDagFile(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml"))
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError {
            return "no such folder"
        }
        return nsError.localizedDescription
    }
}
