/// A record's values by attribute name, so screens and reports can walk the golden attributes in order.
extension MatchInput {
    /// The value of a golden attribute (one of ``Survivorship/attributes``) or `crm_customer_id`; nil when
    /// the record has none or the name is not an attribute.
    public func value(of attribute: String) -> String? {
        switch attribute {
        case "first_name": firstName
        case "last_name": lastName
        case "email": email
        case "phone": phone
        case "birth_date": birthDate
        case "street": street
        case "city": city
        case "postcode": postcode
        case "country": country
        case "crm_customer_id": crmCustomerID
        default: nil
        }
    }
}
