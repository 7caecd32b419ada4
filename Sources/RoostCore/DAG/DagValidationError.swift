/// One problem in a DAG file, naming the file, the line where the parser knows it, the DAG and the
/// task, e.g. `config/dags/example.yaml:14: dag 'example', task 'second': unknown upstream task 'frist'`.
public struct DagValidationError: Error, CustomStringConvertible, Sendable, Hashable {
    public var file: String
    public var line: Int?
    public var dagID: String?
    public var taskID: String?
    public var message: String

    public init(file: String, line: Int? = nil, dagID: String? = nil, taskID: String? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.dagID = dagID
        self.taskID = taskID
        self.message = message
    }

    public var description: String {
        var text = line.map { "\(file):\($0): " } ?? "\(file): "
        switch (dagID, taskID) {
        case let (dag?, task?): text += "dag '\(dag)', task '\(task)': "
        case let (dag?, nil): text += "dag '\(dag)': "
        case let (nil, task?): text += "task '\(task)': "
        case (nil, nil): break
        }
        return text + message
    }
}
