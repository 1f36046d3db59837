// TODO(merge): delete this file once MembershipService implements `members()`
// (the membership helper owns it); `status` only needs name, address, state,
// incarnation and roles of each member.
extension MembershipService {
    func members() -> [MemberView] { [] }
}
