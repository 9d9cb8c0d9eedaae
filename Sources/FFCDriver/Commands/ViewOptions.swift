/// The options only `ffc view` takes; it shares --data, --set, --seed, --log and -o with the other
/// commands, with help lines of its own.
extension Option where Value == String? {
  static let viewLog = Option.log.withHelp(
    "draw the training curves of a 'train --log' file on the page")

  static let viewOutput = Option.output.withHelp(
    "write the page to <file> (default: standard output)")
}
