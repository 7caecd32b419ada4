/// A try whose lease was taken back may not write what belongs to its task's running attempt
/// (lake objects, dead letters): the stores check the attempt in the same statement.
public struct AttemptNotHeld: Error, CustomStringConvertible {
    /// What was therefore not written, for the message.
    public let unwritten: String

    public var description: String { "this try no longer holds its task (its lease was taken back): \(unwritten)" }
}
