/// How a street address is written in a country.
enum StreetStyle: Sendable {
    /// "12 High Street"
    case numberFirst
    /// "Hauptstraße 12"
    case numberAfter
    /// "12, rue de la Paix"
    case numberCommaFirst
    /// "Calle Mayor, 12"
    case numberCommaAfter
    /// "1-2-3 Shibuya"
    case blockNumbers
}

/// A city with its postcode patterns (`#` a digit, `@` a letter) and landline area code.
struct City: Sendable {
    var name: String
    var postcodes: [String]
    var areaCode: String
}

/// A telephone numbering plan: the national significant number's leading digits and how it is written.
///
/// Templates hold a `#` for each digit of the national significant number; literals around them are the
/// trunk prefix and separators.
struct PhonePlan: Sendable {
    var prefix: String
    var national: String
    var international: String
}

/// Everything the generator needs to invent a plausible address, phone and email in one country.
///
/// A class so that handing a profile around costs one reference count, not one per field.
final class CountryProfile: Sendable {
    let code: String
    let alpha3: String
    /// Other ways people write the country ("United Kingdom", "UK", "Deutschland").
    let names: [String]
    let callingCode: String
    let currency: String
    let streetStyle: StreetStyle
    let streets: [String]
    /// Extra address lines that put a comma inside the street field ("Flat #", "Apt #B").
    let unitFormats: [String]
    let cities: [City]
    let mobiles: [PhonePlan]
    /// Landline templates by area-code length.
    let landlines: [Int: PhonePlan]
    let emailDomains: [String]

    init(
        code: String, alpha3: String, names: [String], callingCode: String, currency: String,
        streetStyle: StreetStyle, streets: [String], unitFormats: [String], cities: [City], mobiles: [PhonePlan],
        landlines: [Int: PhonePlan], emailDomains: [String]
    ) {
        self.code = code
        self.alpha3 = alpha3
        self.names = names
        self.callingCode = callingCode
        self.currency = currency
        self.streetStyle = streetStyle
        self.streets = streets
        self.unitFormats = unitFormats
        self.cities = cities
        self.mobiles = mobiles
        self.landlines = landlines
        self.emailDomains = emailDomains
    }
}

/// The countries people live in; the first eight are the markets the data is mostly about.
enum PlaceCatalog {
    /// Country choice per culture, as (country index, weight).
    static func countryWeights(_ culture: Culture) -> [(Int, Double)] {
        switch culture {
        case .anglo: [(gb, 48), (us, 37), (ie, 12), (de, 1), (nl, 1), (es, 1)]
        case .german: [(de, 88), (gb, 4), (us, 4), (nl, 4)]
        case .french: [(fr, 90), (gb, 5), (us, 5)]
        case .hispanic: [(es, 78), (us, 17), (gb, 5)]
        case .italian: [(it, 88), (gb, 6), (us, 6)]
        case .dutch: [(nl, 90), (gb, 5), (de, 5)]
        case .nordic: [(se, 35), (dk, 25), (no, 20), (gb, 10), (de, 10)]
        case .polish: [(pl, 45), (gb, 30), (de, 20), (ie, 5)]
        case .chinese: [(cn, 30), (us, 35), (gb, 25), (de, 5), (fr, 5)]
        case .japanese: [(jp, 50), (us, 30), (gb, 20)]
        case .korean: [(kr, 50), (us, 35), (gb, 15)]
        }
    }

    /// `countryWeights` per culture (by raw value), split into countries and weights, built once.
    static let countryTables: [(countries: [Int], weights: [Double])] = Culture.allCases.map { culture in
        let table = countryWeights(culture)
        return (table.map(\.0), table.map(\.1))
    }

    static let gb = 0, us = 1, de = 2, fr = 3, es = 4, it = 5, nl = 6, ie = 7
    static let se = 8, dk = 9, no = 10, pl = 11, cn = 12, jp = 13, kr = 14

    /// Codes no country has, for the unknown-country problem.
    static let unknownCountries = ["XX", "Atlantis", "ZZ", "Narnia", "QQ", "Utopia"]

    static let countries: [CountryProfile] = [
        CountryProfile(
            code: "GB", alpha3: "GBR", names: ["United Kingdom", "UK", "Great Britain", "England", "GBR"],
            callingCode: "44", currency: "GBP", streetStyle: .numberFirst,
            streets: ["High Street", "Station Road", "Church Lane", "Victoria Road", "Park Avenue", "Mill Lane",
                      "Kings Road", "Queen Street", "Green Lane", "The Crescent", "Manor Road", "Albert Street",
                      "St John's Road", "Windsor Close"],
            unitFormats: ["Flat #", "Flat #@", "Apartment #"],
            cities: [
                City(name: "London", postcodes: ["SW1# #@@", "E1# #@@", "N# #@@", "SE2# #@@", "W# #@@"], areaCode: "20"),
                City(name: "Manchester", postcodes: ["M## #@@"], areaCode: "161"),
                City(name: "Birmingham", postcodes: ["B## #@@"], areaCode: "121"),
                City(name: "Leeds", postcodes: ["LS# #@@"], areaCode: "113"),
                City(name: "Glasgow", postcodes: ["G## #@@"], areaCode: "141"),
                City(name: "Edinburgh", postcodes: ["EH# #@@"], areaCode: "131"),
                City(name: "Bristol", postcodes: ["BS# #@@"], areaCode: "117"),
                City(name: "Cardiff", postcodes: ["CF## #@@"], areaCode: "29"),
                City(name: "Liverpool", postcodes: ["L## #@@"], areaCode: "151"),
                City(name: "Brighton", postcodes: ["BN# #@@"], areaCode: "1273"),
            ],
            mobiles: [PhonePlan(prefix: "7", national: "0#### ######", international: "+44 #### ######")],
            landlines: [
                2: PhonePlan(prefix: "", national: "0## #### ####", international: "+44 ## #### ####"),
                3: PhonePlan(prefix: "", national: "0### ### ####", international: "+44 ### ### ####"),
                4: PhonePlan(prefix: "", national: "0#### ######", international: "+44 #### ######"),
            ],
            emailDomains: ["gmail.com", "googlemail.com", "hotmail.co.uk", "yahoo.co.uk", "outlook.com",
                           "btinternet.com", "icloud.com", "sky.com"]),
        CountryProfile(
            code: "US", alpha3: "USA", names: ["USA", "United States", "U.S.", "United States of America", "USA"],
            callingCode: "1", currency: "USD", streetStyle: .numberFirst,
            streets: ["Main Street", "Oak Avenue", "Maple Drive", "Washington Street", "Park Place", "Elm Street",
                      "Lake View Drive", "Sunset Boulevard", "Broadway", "5th Avenue", "Cedar Lane", "Pine Street",
                      "Martin Luther King Jr Blvd"],
            unitFormats: ["Apt #@", "Suite ###", "Unit #"],
            cities: [
                City(name: "New York", postcodes: ["100##", "112##"], areaCode: "212"),
                City(name: "San Francisco", postcodes: ["941##"], areaCode: "415"),
                City(name: "Chicago", postcodes: ["606##"], areaCode: "312"),
                City(name: "Los Angeles", postcodes: ["900##"], areaCode: "213"),
                City(name: "Boston", postcodes: ["021##"], areaCode: "617"),
                City(name: "Seattle", postcodes: ["981##"], areaCode: "206"),
                City(name: "Austin", postcodes: ["787##"], areaCode: "512"),
                City(name: "Miami", postcodes: ["331##"], areaCode: "305"),
                City(name: "Denver", postcodes: ["802##"], areaCode: "303"),
            ],
            mobiles: [],
            landlines: [3: PhonePlan(prefix: "", national: "(###) ###-####", international: "+1 ###-###-####")],
            emailDomains: ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com",
                           "comcast.net"]),
        CountryProfile(
            code: "DE", alpha3: "DEU", names: ["Deutschland", "Germany", "DEU", "Germany", "Bundesrepublik Deutschland"],
            callingCode: "49", currency: "EUR", streetStyle: .numberAfter,
            streets: ["Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schulstraße", "Dorfstraße", "Berliner Straße",
                      "Lindenallee", "Goethestraße", "Schillerstraße", "Am Markt", "Mühlenweg", "Kirchgasse"],
            unitFormats: ["Hinterhaus", "c/o #. OG"],
            cities: [
                City(name: "Berlin", postcodes: ["10###", "12###", "13###"], areaCode: "30"),
                City(name: "Hamburg", postcodes: ["20###", "22###"], areaCode: "40"),
                City(name: "München", postcodes: ["80###", "81###"], areaCode: "89"),
                City(name: "Köln", postcodes: ["50###", "51###"], areaCode: "221"),
                City(name: "Frankfurt am Main", postcodes: ["60###"], areaCode: "69"),
                City(name: "Stuttgart", postcodes: ["70###"], areaCode: "711"),
                City(name: "Düsseldorf", postcodes: ["40###"], areaCode: "211"),
                City(name: "Leipzig", postcodes: ["04###"], areaCode: "341"),
            ],
            mobiles: [
                PhonePlan(prefix: "15", national: "0### ########", international: "+49 ### ########"),
                PhonePlan(prefix: "17", national: "0### #######", international: "+49 ### #######"),
            ],
            landlines: [
                2: PhonePlan(prefix: "", national: "0## #######", international: "+49 ## #######"),
                3: PhonePlan(prefix: "", national: "0### #######", international: "+49 ### #######"),
            ],
            emailDomains: ["gmail.com", "googlemail.com", "web.de", "gmx.de", "t-online.de", "outlook.de"]),
        CountryProfile(
            code: "FR", alpha3: "FRA", names: ["France", "FRA", "France", "République française"],
            callingCode: "33", currency: "EUR", streetStyle: .numberCommaFirst,
            streets: ["rue de la Paix", "avenue Victor Hugo", "boulevard Saint-Michel", "rue du Faubourg Saint-Antoine",
                      "place de la République", "rue des Écoles", "allée des Tilleuls", "chemin du Moulin",
                      "rue Jean Jaurès", "quai de Valmy", "rue de l'Église"],
            unitFormats: ["Bât. @", "Apt ##"],
            cities: [
                City(name: "Paris", postcodes: ["750##"], areaCode: "1"),
                City(name: "Lyon", postcodes: ["6900#"], areaCode: "4"),
                City(name: "Marseille", postcodes: ["130##"], areaCode: "4"),
                City(name: "Toulouse", postcodes: ["310##"], areaCode: "5"),
                City(name: "Nice", postcodes: ["060##"], areaCode: "4"),
                City(name: "Bordeaux", postcodes: ["330##"], areaCode: "5"),
                City(name: "Lille", postcodes: ["590##"], areaCode: "3"),
                City(name: "Nantes", postcodes: ["440##"], areaCode: "2"),
            ],
            mobiles: [
                PhonePlan(prefix: "6", national: "0# ## ## ## ##", international: "+33 # ## ## ## ##"),
                PhonePlan(prefix: "7", national: "0# ## ## ## ##", international: "+33 # ## ## ## ##"),
            ],
            landlines: [1: PhonePlan(prefix: "", national: "0# ## ## ## ##", international: "+33 # ## ## ## ##")],
            emailDomains: ["gmail.com", "orange.fr", "free.fr", "laposte.net", "hotmail.fr", "sfr.fr"]),
        CountryProfile(
            code: "ES", alpha3: "ESP", names: ["España", "Spain", "ESP", "Spain", "Espana"],
            callingCode: "34", currency: "EUR", streetStyle: .numberCommaAfter,
            streets: ["Calle Mayor", "Gran Vía", "Avenida de la Constitución", "Calle de Alcalá", "Paseo de Gracia",
                      "Plaza de España", "Calle Real", "Calle del Sol", "Avenida Diagonal", "Rambla de Catalunya"],
            unitFormats: ["#º @", "Piso #"],
            cities: [
                City(name: "Madrid", postcodes: ["280##"], areaCode: "91"),
                City(name: "Barcelona", postcodes: ["080##"], areaCode: "93"),
                City(name: "Valencia", postcodes: ["460##"], areaCode: "96"),
                City(name: "Sevilla", postcodes: ["410##"], areaCode: "95"),
                City(name: "Bilbao", postcodes: ["480##"], areaCode: "94"),
                City(name: "Málaga", postcodes: ["290##"], areaCode: "95"),
                City(name: "Zaragoza", postcodes: ["500##"], areaCode: "976"),
            ],
            mobiles: [PhonePlan(prefix: "6", national: "### ### ###", international: "+34 ### ### ###")],
            landlines: [
                2: PhonePlan(prefix: "", national: "### ### ###", international: "+34 ### ### ###"),
                3: PhonePlan(prefix: "", national: "### ### ###", international: "+34 ### ### ###"),
            ],
            emailDomains: ["gmail.com", "hotmail.es", "yahoo.es", "telefonica.net", "outlook.es"]),
        CountryProfile(
            code: "IT", alpha3: "ITA", names: ["Italia", "Italy", "ITA", "Italy"],
            callingCode: "39", currency: "EUR", streetStyle: .numberAfter,
            streets: ["Via Roma", "Via Garibaldi", "Corso Italia", "Via Dante", "Piazza del Duomo", "Via Mazzini",
                      "Corso Vittorio Emanuele II", "Via Verdi", "Viale dei Mille", "Via San Francesco"],
            unitFormats: ["Scala @", "Int. #"],
            cities: [
                City(name: "Roma", postcodes: ["001##"], areaCode: "06"),
                City(name: "Milano", postcodes: ["201##"], areaCode: "02"),
                City(name: "Napoli", postcodes: ["801##"], areaCode: "081"),
                City(name: "Torino", postcodes: ["101##"], areaCode: "011"),
                City(name: "Firenze", postcodes: ["501##"], areaCode: "055"),
                City(name: "Bologna", postcodes: ["401##"], areaCode: "051"),
                City(name: "Palermo", postcodes: ["901##"], areaCode: "091"),
            ],
            mobiles: [PhonePlan(prefix: "3", national: "### ### ####", international: "+39 ### ### ####")],
            landlines: [
                2: PhonePlan(prefix: "", national: "## #### ####", international: "+39 ## #### ####"),
                3: PhonePlan(prefix: "", national: "### ### ####", international: "+39 ### ### ####"),
            ],
            emailDomains: ["gmail.com", "libero.it", "virgilio.it", "hotmail.it", "tiscali.it"]),
        CountryProfile(
            code: "NL", alpha3: "NLD", names: ["Netherlands", "Nederland", "NLD", "Holland", "The Netherlands"],
            callingCode: "31", currency: "EUR", streetStyle: .numberAfter,
            streets: ["Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsweg", "Prinsengracht", "Herengracht",
                      "Schoolstraat", "Julianalaan", "Beatrixstraat", "Nieuwe Binnenweg", "Markt"],
            unitFormats: ["#-hoog", "bus #"],
            cities: [
                City(name: "Amsterdam", postcodes: ["10## @@"], areaCode: "20"),
                City(name: "Rotterdam", postcodes: ["30## @@"], areaCode: "10"),
                City(name: "Den Haag", postcodes: ["25## @@"], areaCode: "70"),
                City(name: "Utrecht", postcodes: ["35## @@"], areaCode: "30"),
                City(name: "Eindhoven", postcodes: ["56## @@"], areaCode: "40"),
                City(name: "Groningen", postcodes: ["97## @@"], areaCode: "50"),
            ],
            mobiles: [PhonePlan(prefix: "6", national: "0# ########", international: "+31 # ########")],
            landlines: [2: PhonePlan(prefix: "", national: "0## ### ####", international: "+31 ## ### ####")],
            emailDomains: ["gmail.com", "ziggo.nl", "kpnmail.nl", "hotmail.nl", "live.nl"]),
        CountryProfile(
            code: "IE", alpha3: "IRL", names: ["Ireland", "IRL", "Éire", "Republic of Ireland"],
            callingCode: "353", currency: "EUR", streetStyle: .numberFirst,
            streets: ["Main Street", "O'Connell Street", "Church Road", "Strand Road", "Grafton Street",
                      "Castle Street", "Abbey Road", "Harbour View", "Dame Street", "Seaview Terrace"],
            unitFormats: ["Apartment #", "Unit #"],
            cities: [
                City(name: "Dublin", postcodes: ["D0# @#@#", "D1# @#@#"], areaCode: "1"),
                City(name: "Cork", postcodes: ["T12 @#@#"], areaCode: "21"),
                City(name: "Galway", postcodes: ["H91 @#@#"], areaCode: "91"),
                City(name: "Limerick", postcodes: ["V94 @#@#"], areaCode: "61"),
            ],
            mobiles: [PhonePlan(prefix: "8", national: "0## ### ####", international: "+353 ## ### ####")],
            landlines: [
                1: PhonePlan(prefix: "", national: "0# ### ####", international: "+353 # ### ####"),
                2: PhonePlan(prefix: "", national: "0## ### ####", international: "+353 ## ### ####"),
            ],
            emailDomains: ["gmail.com", "eircom.net", "hotmail.com", "yahoo.ie", "outlook.com"]),
        CountryProfile(
            code: "SE", alpha3: "SWE", names: ["Sweden", "Sverige", "SWE"],
            callingCode: "46", currency: "EUR", streetStyle: .numberAfter,
            streets: ["Storgatan", "Drottninggatan", "Kungsgatan", "Sveavägen", "Vasagatan", "Skolgatan"],
            unitFormats: ["lgh 1###"],
            cities: [
                City(name: "Stockholm", postcodes: ["11# ##"], areaCode: "8"),
                City(name: "Göteborg", postcodes: ["41# ##"], areaCode: "31"),
                City(name: "Malmö", postcodes: ["21# ##"], areaCode: "40"),
            ],
            mobiles: [PhonePlan(prefix: "7", national: "0##-### ## ##", international: "+46 ## ### ## ##")],
            landlines: [:],
            emailDomains: ["gmail.com", "telia.com", "outlook.com", "hotmail.se"]),
        CountryProfile(
            code: "DK", alpha3: "DNK", names: ["Denmark", "Danmark", "DNK"],
            callingCode: "45", currency: "EUR", streetStyle: .numberAfter,
            streets: ["Vesterbrogade", "Nørregade", "Østergade", "Søndergade", "Strandvejen"],
            unitFormats: ["#. tv", "#. th"],
            cities: [
                City(name: "København", postcodes: ["1###", "2###"], areaCode: ""),
                City(name: "Aarhus", postcodes: ["8##0"], areaCode: ""),
                City(name: "Odense", postcodes: ["5###"], areaCode: ""),
            ],
            mobiles: [PhonePlan(prefix: "2", national: "## ## ## ##", international: "+45 ## ## ## ##")],
            landlines: [:],
            emailDomains: ["gmail.com", "mail.dk", "outlook.dk", "hotmail.com"]),
        CountryProfile(
            code: "NO", alpha3: "NOR", names: ["Norway", "Norge", "NOR"],
            callingCode: "47", currency: "EUR", streetStyle: .numberAfter,
            streets: ["Storgata", "Karl Johans gate", "Kirkeveien", "Bygdøy allé", "Thereses gate"],
            unitFormats: ["H0###"],
            cities: [
                City(name: "Oslo", postcodes: ["0###"], areaCode: ""),
                City(name: "Bergen", postcodes: ["50##"], areaCode: ""),
                City(name: "Trondheim", postcodes: ["70##"], areaCode: ""),
            ],
            mobiles: [PhonePlan(prefix: "4", national: "### ## ###", international: "+47 ### ## ###")],
            landlines: [:],
            emailDomains: ["gmail.com", "online.no", "hotmail.com", "outlook.com"]),
        CountryProfile(
            code: "PL", alpha3: "POL", names: ["Poland", "Polska", "POL"],
            callingCode: "48", currency: "EUR", streetStyle: .numberAfter,
            streets: ["ul. Długa", "ul. Kościuszki", "ul. Mickiewicza", "ul. Polna", "ul. Piłsudskiego",
                      "al. Jerozolimskie", "ul. Marszałkowska"],
            unitFormats: ["m. ##", "lok. #"],
            cities: [
                City(name: "Warszawa", postcodes: ["0#-###"], areaCode: "22"),
                City(name: "Kraków", postcodes: ["3#-###"], areaCode: "12"),
                City(name: "Gdańsk", postcodes: ["80-###"], areaCode: "58"),
                City(name: "Wrocław", postcodes: ["5#-###"], areaCode: "71"),
            ],
            mobiles: [PhonePlan(prefix: "5", national: "### ### ###", international: "+48 ### ### ###")],
            landlines: [:],
            emailDomains: ["gmail.com", "wp.pl", "onet.pl", "interia.pl", "o2.pl"]),
        CountryProfile(
            code: "CN", alpha3: "CHN", names: ["China", "CHN", "People's Republic of China", "中国"],
            callingCode: "86", currency: "USD", streetStyle: .numberFirst,
            streets: ["Nanjing Road", "Chang'an Avenue", "Huaihai Road", "Wangfujing Street", "Zhongshan Road"],
            unitFormats: ["Room ###", "Unit ##0#"],
            cities: [
                City(name: "Beijing", postcodes: ["100###"], areaCode: ""),
                City(name: "Shanghai", postcodes: ["200###"], areaCode: ""),
                City(name: "Shenzhen", postcodes: ["518###"], areaCode: ""),
            ],
            mobiles: [PhonePlan(prefix: "13", national: "### #### ####", international: "+86 ### #### ####")],
            landlines: [:],
            emailDomains: ["qq.com", "163.com", "gmail.com", "outlook.com"]),
        CountryProfile(
            code: "JP", alpha3: "JPN", names: ["Japan", "JPN", "日本", "Nippon"],
            callingCode: "81", currency: "USD", streetStyle: .blockNumbers,
            streets: ["Shibuya", "Ginza", "Umeda", "Shinjuku", "Roppongi", "Namba"],
            unitFormats: ["Room ###"],
            cities: [
                City(name: "Tokyo", postcodes: ["1##-####"], areaCode: ""),
                City(name: "Osaka", postcodes: ["5##-####"], areaCode: ""),
                City(name: "Kyoto", postcodes: ["60#-####"], areaCode: ""),
            ],
            mobiles: [PhonePlan(prefix: "90", national: "0##-####-####", international: "+81 ##-####-####")],
            landlines: [:],
            emailDomains: ["gmail.com", "yahoo.co.jp", "docomo.ne.jp", "icloud.com"]),
        CountryProfile(
            code: "KR", alpha3: "KOR", names: ["South Korea", "Korea, Republic of", "KOR", "Republic of Korea"],
            callingCode: "82", currency: "USD", streetStyle: .numberAfter,
            streets: ["Gangnam-daero", "Teheran-ro", "Sejong-daero", "Itaewon-ro", "Olympic-ro"],
            unitFormats: ["#0#-ho"],
            cities: [
                City(name: "Seoul", postcodes: ["0####"], areaCode: ""),
                City(name: "Busan", postcodes: ["4####"], areaCode: ""),
            ],
            mobiles: [PhonePlan(prefix: "10", national: "0##-####-####", international: "+82 ##-####-####")],
            landlines: [:],
            emailDomains: ["naver.com", "gmail.com", "daum.net", "kakao.com"]),
    ]

    /// Companies for work email addresses (fictional).
    static let workDomains = [
        "initech.co.uk", "globex-corp.com", "umbrella-group.de", "hooli.com", "vandelay-industries.com",
        "northwind-traders.com", "stark-logistics.eu", "wayne-enterprises.com", "acme-retail.fr",
        "gringotts-finance.co.uk",
    ]

    /// Letters used to fill `@` in postcodes (the UK omits C, I, K, M, O and V in the inward code).
    static let postcodeLetters = Array("ABDEFGHJLNPQRSTUWXYZ".utf8)
}
