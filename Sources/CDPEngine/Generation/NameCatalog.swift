/// The naming traditions people are drawn from, each with its own given and family names.
enum Culture: Int, Sendable, CaseIterable {
    case anglo, german, french, hispanic, italian, dutch, nordic, polish, chinese, japanese, korean

    /// How often each culture occurs, in `allCases` order.
    static let weights: [Double] = [34, 12, 11, 10, 9, 7, 4, 4, 4, 3, 2]
}

/// A given name with the short forms people also use for it ("Robert" → "Bob", "Rob").
struct GivenName: Sendable {
    var name: String
    var nicknames: [String]
}

/// A name in CJK script with its usual Latin transcription.
struct ScriptName: Sendable {
    var script: String
    var latin: String
}

/// Name pools per culture; written for this project, common names of each tradition.
enum NameCatalog {
    /// Pools and their email tokens per culture (by raw value), built once: people are made by the million.
    static let givenPools: [[GivenName]] = Culture.allCases.map(givenNames)
    static let familyPools: [[String]] = Culture.allCases.map(familyNames)
    static let givenTokens: [[String]] = givenPools.map { $0.map { TextVariation.emailToken($0.name) } }
    static let familyTokens: [[String]] = familyPools.map { $0.map(TextVariation.emailToken) }
    static let scriptGivenPools: [[ScriptName]] = Culture.allCases.map(scriptGiven)
    static let scriptFamilyPools: [[ScriptName]] = Culture.allCases.map(scriptFamily)

    static func givenNames(_ culture: Culture) -> [GivenName] {
        switch culture {
        case .anglo: anglo
        case .german: german
        case .french: french
        case .hispanic: hispanic
        case .italian: italian
        case .dutch: dutch
        case .nordic: nordic
        case .polish: polish
        case .chinese: chineseGiven.map { GivenName(name: $0.latin, nicknames: []) }
        case .japanese: japaneseGiven.map { GivenName(name: $0.latin, nicknames: []) }
        case .korean: koreanGiven.map { GivenName(name: $0.latin, nicknames: []) }
        }
    }

    static func familyNames(_ culture: Culture) -> [String] {
        switch culture {
        case .anglo: angloFamily
        case .german: germanFamily
        case .french: frenchFamily
        case .hispanic: hispanicFamily
        case .italian: italianFamily
        case .dutch: dutchFamily
        case .nordic: nordicFamily
        case .polish: polishFamily
        case .chinese: chineseFamily.map(\.latin)
        case .japanese: japaneseFamily.map(\.latin)
        case .korean: koreanFamily.map(\.latin)
        }
    }

    /// Script forms for the East Asian cultures, index-aligned with the Latin pools.
    static func scriptGiven(_ culture: Culture) -> [ScriptName] {
        switch culture {
        case .chinese: chineseGiven
        case .japanese: japaneseGiven
        case .korean: koreanGiven
        default: []
        }
    }

    static func scriptFamily(_ culture: Culture) -> [ScriptName] {
        switch culture {
        case .chinese: chineseFamily
        case .japanese: japaneseFamily
        case .korean: koreanFamily
        default: []
        }
    }

    private static func given(_ spec: String) -> GivenName {
        let parts = spec.split(separator: "|").map(String.init)
        return GivenName(name: parts[0], nicknames: parts.count > 1 ? parts[1].split(separator: ",").map(String.init) : [])
    }

    private static let anglo: [GivenName] = [
        "Robert|Bob,Rob,Bobby", "William|Bill,Will,Billy", "James|Jim,Jimmy", "John|Johnny,Jack",
        "Michael|Mike,Mick", "David|Dave", "Richard|Rick,Dick", "Thomas|Tom,Tommy", "Christopher|Chris",
        "Daniel|Dan,Danny", "Matthew|Matt", "Anthony|Tony", "Joseph|Joe", "Edward|Ed,Ted,Eddie",
        "Benjamin|Ben", "Samuel|Sam", "Oliver|Ollie", "Jack", "Harry", "George", "Liam", "Noah",
        "Elizabeth|Liz,Beth,Lizzie", "Katherine|Kate,Kathy,Katie", "Margaret|Maggie,Peggy",
        "Jennifer|Jen,Jenny", "Patricia|Pat,Trish", "Susan|Sue", "Rebecca|Becky", "Victoria|Vicky,Tori",
        "Jessica|Jess", "Emily", "Sarah", "Emma", "Olivia", "Charlotte|Charlie", "Amelia|Millie",
        "Sophie", "Grace", "Hannah", "Lucy", "Chloe", "Zoë|Zoe", "Siobhán|Siobhan", "Aoife", "Niamh",
        "Seán|Sean", "Ciarán|Ciaran", "Megan", "Laura", "Rachel", "Alexander|Alex,Sandy",
    ].map(given)
    private static let angloFamily = [
        "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
        "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green",
        "Hall", "Wood", "Harris", "Lewis", "Martin", "Jackson", "Clarke", "Clark", "Turner", "Hill",
        "Scott", "Cooper", "Morris", "Ward", "Moore", "King", "Watson", "Baker", "Harrison", "Morgan",
        "Patel", "Young", "Allen", "Mitchell", "Anderson", "Miller", "Davis", "Garcia", "Rodriguez",
        "Murphy", "Kelly", "O'Brien", "O'Sullivan", "Walsh", "Byrne", "Ryan", "O'Connor", "McCarthy",
        "MacDonald", "Campbell", "Stewart", "Fitzgerald", "Brontë", "Lloyd-Jones", "Smith-Wright",
    ]

    private static let german: [GivenName] = [
        "Johannes|Hans,Jo", "Friedrich|Fritz", "Wolfgang|Wolf", "Jürgen", "Klaus", "Stefan", "Andreas",
        "Michael|Micha", "Thomas|Tom", "Matthias|Matze", "Sebastian|Basti", "Maximilian|Max",
        "Alexander|Alex", "Lukas", "Jonas", "Felix", "Leon", "Paul", "Uwe", "Dieter", "Günter",
        "Katharina|Kathi,Katja", "Elisabeth|Lisa,Elli", "Susanne|Susi", "Anna", "Julia|Jule", "Laura",
        "Lena", "Sabine|Bine", "Ursula|Uschi", "Monika", "Petra", "Claudia", "Jörg", "Björn", "Sören",
        "Hannelore|Hanne", "Franziska|Franzi", "Charlotte|Lotte", "Mia", "Emilia",
    ].map(given)
    private static let germanFamily = [
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
        "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
        "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner",
        "Krause", "Meier", "Lehmann", "Schmid", "Köhler", "Maier", "Günther", "Weiß", "Groß", "von Bergen",
        "Jäger", "Vogel", "Böhm",
    ]

    private static let french: [GivenName] = [
        "Jean", "Pierre", "Michel", "François", "Philippe", "Nicolas|Nico", "Frédéric|Fred",
        "Christophe|Chris", "Sébastien|Seb", "Julien", "Antoine", "Guillaume", "Mathieu", "Hugo",
        "Louis", "Gabriel", "Raphaël", "Jérôme", "Stéphane", "Marie", "Nathalie", "Isabelle", "Sylvie",
        "Catherine|Cathy", "Sophie", "Camille", "Chloé", "Léa", "Manon", "Élodie", "Hélène",
        "Renée", "Amélie", "Céline", "Margaux", "Inès", "Jean-Pierre", "Marie-Claire", "Anaïs", "Noémie",
    ].map(given)
    private static let frenchFamily = [
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
        "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert",
        "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin",
        "Chevalier", "Boyer", "Gauthier", "de la Fontaine",
    ]

    private static let hispanic: [GivenName] = [
        "José|Pepe", "Francisco|Paco,Fran", "Antonio|Toño,Toni", "Manuel|Manolo", "Javier", "Alejandro|Alex",
        "Carlos", "Miguel", "Jesús|Chuy", "Pedro", "Luis", "Jorge", "Rafael|Rafa", "Daniel|Dani",
        "Sergio", "Pablo", "Andrés", "Martín", "Diego", "Ramón", "María", "Carmen", "Ana", "Isabel|Isa",
        "Dolores|Lola", "Lucía", "Laura", "Cristina", "Marta", "Elena", "Pilar", "Sofía", "Paula",
        "Concepción|Concha", "Guadalupe|Lupe", "Mercedes|Merche", "Inés", "Begoña", "María José|Majo",
        "Valentina",
    ].map(given)
    private static let hispanicFamily = [
        "García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
        "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero",
        "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Ramírez",
        "Serrano", "Blanco", "Molina", "Morales", "Suárez", "Ortega", "Delgado", "Castro", "Ortiz",
        "Núñez", "de la Cruz", "Iglesias", "Peña",
    ]

    private static let italian: [GivenName] = [
        "Giuseppe|Beppe,Peppe", "Giovanni|Gianni", "Antonio|Toni", "Mario", "Luigi|Gigi", "Francesco|Franco",
        "Alessandro|Sandro", "Andrea", "Marco", "Matteo", "Lorenzo|Enzo", "Leonardo", "Riccardo",
        "Stefano", "Roberto", "Davide", "Niccolò", "Salvatore|Totò", "Paolo", "Fabio", "Maria", "Anna",
        "Giulia", "Francesca|Franca", "Chiara", "Sara", "Laura", "Valentina", "Alessia", "Martina",
        "Federica", "Elisa", "Silvia", "Giorgia", "Beatrice|Bea", "Aurora", "Rosa", "Lucia", "Caterina|Rina",
        "Ilaria",
    ].map(given)
    private static let italianFamily = [
        "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
        "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo",
        "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso",
        "Ferrara", "Galli", "Martini", "Leone", "Longo", "Gentile", "Martinelli", "Vitale", "Lombardo",
        "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti",
    ]

    private static let dutch: [GivenName] = [
        "Johannes|Jan,Hans", "Hendrik|Henk", "Cornelis|Kees", "Pieter|Piet", "Willem|Wim", "Jacobus|Koos",
        "Gerrit", "Dirk", "Bram", "Daan", "Sem", "Lucas", "Thijs", "Ruben", "Jeroen", "Maarten", "Sander",
        "Anna|Anneke", "Maria|Mies", "Johanna|Joke", "Cornelia|Corrie", "Wilhelmina|Mien", "Sanne", "Emma",
        "Julia", "Fleur", "Lotte", "Femke", "Anouk", "Marloes", "Esther", "Inge", "Eline", "Saskia",
        "Ingrid", "Joëlle",
    ].map(given)
    private static let dutchFamily = [
        "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit",
        "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen",
        "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden",
        "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek",
        "de Bruijn", "Schouten", "van Beek",
    ]

    private static let nordic: [GivenName] = [
        "Lars", "Anders", "Erik", "Johan", "Karl|Kalle", "Nils", "Per", "Magnus", "Søren", "Jens",
        "Mikkel", "Henrik", "Ole", "Bjørn", "Åke", "Mats", "Gustav", "Oskar", "Anna", "Eva", "Karin",
        "Kristina|Kicki", "Ingrid", "Astrid", "Sigrid", "Maja", "Freja", "Ida", "Linnéa", "Åsa",
        "Ingeborg", "Sofie", "Mette", "Liv", "Solveig",
    ].map(given)
    private static let nordicFamily = [
        "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
        "Svensson", "Gustafsson", "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen",
        "Larsen", "Sørensen", "Rasmussen", "Johansen", "Olsen", "Berg", "Haugen", "Dahl", "Lindqvist",
        "Bergström", "Lindström", "Åberg", "Sjöberg", "Ødegaard",
    ]

    private static let polish: [GivenName] = [
        "Piotr", "Krzysztof|Krzyś", "Andrzej", "Tomasz|Tomek", "Paweł", "Michał", "Marcin", "Jakub|Kuba",
        "Łukasz", "Mateusz", "Aleksander|Olek", "Wojciech|Wojtek", "Grzegorz|Grzesiek", "Katarzyna|Kasia",
        "Małgorzata|Gosia", "Agnieszka|Aga", "Anna|Ania", "Magdalena|Magda", "Joanna|Asia", "Ewa",
        "Aleksandra|Ola", "Zofia|Zosia", "Dorota", "Barbara|Basia",
    ].map(given)
    private static let polishFamily = [
        "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński",
        "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Kwiatkowski", "Krawczyk",
        "Piotrowski", "Grabowski", "Nowakowski", "Pawłowski", "Michalski", "Król", "Wieczorek", "Jabłoński",
    ]

    private static let chineseGiven: [ScriptName] = [
        ScriptName(script: "伟", latin: "Wei"), ScriptName(script: "芳", latin: "Fang"),
        ScriptName(script: "娜", latin: "Na"), ScriptName(script: "敏", latin: "Min"),
        ScriptName(script: "静", latin: "Jing"), ScriptName(script: "磊", latin: "Lei"),
        ScriptName(script: "强", latin: "Qiang"), ScriptName(script: "洋", latin: "Yang"),
        ScriptName(script: "艳", latin: "Yan"), ScriptName(script: "杰", latin: "Jie"),
        ScriptName(script: "建华", latin: "Jianhua"), ScriptName(script: "秀英", latin: "Xiuying"),
        ScriptName(script: "志强", latin: "Zhiqiang"), ScriptName(script: "晓明", latin: "Xiaoming"),
        ScriptName(script: "丽娟", latin: "Lijuan"), ScriptName(script: "海燕", latin: "Haiyan"),
    ]
    private static let chineseFamily: [ScriptName] = [
        ScriptName(script: "王", latin: "Wang"), ScriptName(script: "李", latin: "Li"),
        ScriptName(script: "张", latin: "Zhang"), ScriptName(script: "刘", latin: "Liu"),
        ScriptName(script: "陈", latin: "Chen"), ScriptName(script: "杨", latin: "Yang"),
        ScriptName(script: "黄", latin: "Huang"), ScriptName(script: "赵", latin: "Zhao"),
        ScriptName(script: "吴", latin: "Wu"), ScriptName(script: "周", latin: "Zhou"),
        ScriptName(script: "徐", latin: "Xu"), ScriptName(script: "孙", latin: "Sun"),
        ScriptName(script: "马", latin: "Ma"), ScriptName(script: "朱", latin: "Zhu"),
    ]
    private static let japaneseGiven: [ScriptName] = [
        ScriptName(script: "翔太", latin: "Shota"), ScriptName(script: "大輝", latin: "Daiki"),
        ScriptName(script: "健太", latin: "Kenta"), ScriptName(script: "拓也", latin: "Takuya"),
        ScriptName(script: "直樹", latin: "Naoki"), ScriptName(script: "浩", latin: "Hiroshi"),
        ScriptName(script: "花子", latin: "Hanako"), ScriptName(script: "陽子", latin: "Yoko"),
        ScriptName(script: "美咲", latin: "Misaki"), ScriptName(script: "由美", latin: "Yumi"),
        ScriptName(script: "さくら", latin: "Sakura"), ScriptName(script: "愛", latin: "Ai"),
        ScriptName(script: "恵子", latin: "Keiko"), ScriptName(script: "優子", latin: "Yuko"),
    ]
    private static let japaneseFamily: [ScriptName] = [
        ScriptName(script: "佐藤", latin: "Sato"), ScriptName(script: "鈴木", latin: "Suzuki"),
        ScriptName(script: "高橋", latin: "Takahashi"), ScriptName(script: "田中", latin: "Tanaka"),
        ScriptName(script: "渡辺", latin: "Watanabe"), ScriptName(script: "伊藤", latin: "Ito"),
        ScriptName(script: "山本", latin: "Yamamoto"), ScriptName(script: "中村", latin: "Nakamura"),
        ScriptName(script: "小林", latin: "Kobayashi"), ScriptName(script: "加藤", latin: "Kato"),
        ScriptName(script: "吉田", latin: "Yoshida"), ScriptName(script: "山田", latin: "Yamada"),
    ]
    private static let koreanGiven: [ScriptName] = [
        ScriptName(script: "민준", latin: "Minjun"), ScriptName(script: "서준", latin: "Seojun"),
        ScriptName(script: "도윤", latin: "Doyun"), ScriptName(script: "지훈", latin: "Jihoon"),
        ScriptName(script: "현우", latin: "Hyunwoo"), ScriptName(script: "성민", latin: "Sungmin"),
        ScriptName(script: "서연", latin: "Seoyeon"), ScriptName(script: "지민", latin: "Jimin"),
        ScriptName(script: "수빈", latin: "Subin"), ScriptName(script: "하은", latin: "Haeun"),
        ScriptName(script: "지영", latin: "Jiyoung"), ScriptName(script: "은지", latin: "Eunji"),
    ]
    private static let koreanFamily: [ScriptName] = [
        ScriptName(script: "김", latin: "Kim"), ScriptName(script: "이", latin: "Lee"),
        ScriptName(script: "박", latin: "Park"), ScriptName(script: "최", latin: "Choi"),
        ScriptName(script: "정", latin: "Jung"), ScriptName(script: "강", latin: "Kang"),
        ScriptName(script: "조", latin: "Cho"), ScriptName(script: "윤", latin: "Yoon"),
        ScriptName(script: "장", latin: "Jang"), ScriptName(script: "임", latin: "Lim"),
    ]
}
