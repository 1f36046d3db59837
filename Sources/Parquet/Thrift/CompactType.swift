/// The Thrift compact protocol (THRIFT-110, `doc/specs/thrift-compact-protocol.md`):
/// a field header is one byte, `delta << 4 | type`, where delta is the field id
/// minus the previous one (1…15), or 0 followed by the id as a zigzag varint;
/// integers are zigzag varints, binaries a varint length then bytes, a list
/// `size << 4 | elementType` (size 15 means a varint size follows), a struct ends
/// with a 0 byte. Booleans in a field live in the header's type (1 true, 2 false).
enum CompactType: UInt8, Sendable {
    case stop = 0
    case booleanTrue = 1
    case booleanFalse = 2
    case byte = 3
    case i16 = 4
    case i32 = 5
    case i64 = 6
    case double = 7
    case binary = 8
    case list = 9
    case set = 10
    case map = 11
    case `struct` = 12

    var name: String { "\(self)" }
}
