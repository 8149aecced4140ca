/// Common given names of other European languages with their usual diminutives, in the English table's
/// format (the formal name, then the short forms people go by). General reference data, not drawn from any
/// data set. Read after the English table, so a short form both list keeps its English reading.
extension NicknameTable {
    static let spanish = """
        José: Pepe, Pepito, Chema
        Josefa: Pepa, Pepita
        Josefina: Pepita, Fina
        Francisco: Paco, Paquito, Pancho, Curro, Quico, Fran
        Francisca: Paca, Paquita, Curra
        Antonio: Toño, Toni, Antoñito
        Manuel: Manolo, Manolito, Manu
        Manuela: Manoli, Manu
        Ignacio: Nacho
        Enrique: Quique, Kike
        Jesús: Chucho, Chuy, Chus
        Guadalupe: Lupe, Lupita
        Dolores: Lola, Lolita, Loles
        Concepción: Concha, Conchita, Conchi
        Rosario: Charo, Chayo
        Consuelo: Chelo
        Mercedes: Merche, Meche
        Pilar: Pili
        Alejandro: Álex, Alejo, Jandro
        Eduardo: Lalo, Edu
        Guillermo: Memo, Guille
        Fernando: Nando, Fer
        Rafael: Rafa
        Roberto: Beto
        Alberto: Beto
        Luis: Lucho, Luisito
        Santiago: Santi, Yago
        Jacinto: Chinto
        Carlos: Carlitos
        Javier: Javi
        Teresa: Tere
        Cristina: Cris
        Beatriz: Bea
        Margarita: Marga
        Asunción: Asun
        Inmaculada: Inma
        Encarnación: Encarna
        Purificación: Puri
        Montserrat: Montse
        Alejandra: Ale, Jandra
        Verónica: Vero
        Soledad: Sole
        Milagros: Mila
        """

    static let portuguese = """
        José: Zé, Zezinho
        João: Joãozinho
        Francisco: Chico, Xico
        Antônio: Tonho, Toninho
        António: Tó, Toninho
        Manuel: Manel, Mané, Nelo
        Eduardo: Dudu, Edu
        Carlos: Cacá, Carlinhos
        Ricardo: Cadu
        Gabriel: Biel
        Guilherme: Gui
        Rodrigo: Digo
        Paulo: Paulinho
        Margarida: Guida
        Conceição: Conça
        Fátima: Fafá
        Beatriz: Bia
        Fernanda: Nanda
        Luísa: Lu
        Isabela: Bela
        Gabriela: Gabi
        Mariana: Mari
        Rafaela: Rafa
        """

    static let german = """
        Johannes: Hans, Hannes, Jo
        Johann: Hans, Hannes
        Friedrich: Fritz, Friedel
        Heinrich: Heinz, Heiner, Hinz
        Wilhelm: Willi
        Josef: Sepp, Seppl, Jupp
        Jakob: Jockel, Kobi
        Matthias: Matze, Hias
        Sebastian: Basti
        Tobias: Tobi
        Ulrich: Uli
        Bernhard: Bernd
        Dietrich: Dieter
        Gerhard: Gerd
        Leopold: Poldi
        Florian: Flo
        Dominik: Dome
        Christoph: Christ, Stoffel
        Konstantin: Konsti
        Michael: Micha, Michi
        Katharina: Kathi, Katja, Käthe, Kathrin
        Elisabeth: Lisa, Liesl, Liese, Elli, Sisi
        Margarethe: Grete, Gretel, Gretchen
        Margarete: Grete, Gretel
        Susanne: Susi
        Barbara: Bärbel
        Franziska: Franzi
        Stefanie: Steffi
        Magdalena: Leni
        Cornelia: Conny
        Gabriele: Gabi
        Angelika: Geli
        Ursula: Uschi, Ulla
        Hannelore: Hanne
        Charlotte: Lotte
        Sabine: Bine
        Julia: Jule
        Johanna: Hanne
        """

    static let french = """
        François: Fanfan
        Françoise: Fanny
        Frédéric: Fred
        Guillaume: Guigui
        Nicolas: Nico, Colas
        Alexandre: Alex
        Christophe: Chris
        Emmanuel: Manu
        Emmanuelle: Manu
        Sébastien: Seb, Bastien
        Philippe: Phil
        Jacques: Jacquot, Jacky
        Thierry: Titi
        Pierre: Pierrot
        Dominique: Dom
        Maximilien: Max
        Isabelle: Isa, Babette
        Élisabeth: Babette, Lise, Lisette
        Marguerite: Margot, Maggy
        Stéphanie: Steph, Fanny
        Joséphine: Josette, Fifi
        Véronique: Vero
        Nathalie: Nat
        Aurélie: Lili
        Virginie: Gigi
        Catherine: Cathy, Cath
        Mathilde: Maud
        Anne: Annette, Nanette
        Jeanne: Jeannette, Jeannot
        """

    static let italian = """
        Giuseppe: Peppe, Beppe, Pino, Peppino, Bepi
        Giuseppina: Pina, Peppina
        Giovanni: Gianni, Vanni, Nanni
        Giovanna: Gianna, Vanna
        Francesco: Franco, Cecco, Checco
        Francesca: Franca
        Antonio: Tonio, Totò, Tonino
        Salvatore: Totò, Turi
        Alessandro: Sandro, Ale
        Alessandra: Sandra, Ale
        Vincenzo: Enzo
        Domenico: Mimmo, Mimì
        Luigi: Gigi
        Gianluigi: Gigi
        Raffaele: Lele
        Emanuele: Lele
        Federico: Fede, Chicco
        Enrico: Chicco, Rico
        Massimiliano: Max
        Massimo: Max
        Roberto: Berto
        Alberto: Berto
        Elisabetta: Betta, Elisa
        Caterina: Rina
        Margherita: Rita
        Antonella: Nella
        Beatrice: Bea
        Gabriella: Gabri
        """

    static let dutch = """
        Johannes: Jan, Hans, Joop, Hannes
        Willem: Wim, Pim
        Hendrik: Henk, Rik
        Cornelis: Kees, Cor
        Jacobus: Koos, Jaap, Sjaak
        Gerardus: Gert
        Adrianus: Arie, Adrie
        Petrus: Piet
        Theodorus: Theo, Dorus
        Franciscus: Frans
        Wilhelmina: Mien, Wil
        Johanna: Jo, Anneke, Hanneke
        Maria: Mies, Marieke, Ria
        Catharina: Toos, Tineke
        Elisabeth: Els, Lies, Bep
        Geertruida: Truus, Trudy
        """

    static let polish = """
        Jakub: Kuba
        Tomasz: Tomek
        Joanna: Asia
        Katarzyna: Kasia
        Małgorzata: Gosia, Małgosia
        Aleksandra: Ola
        Aleksander: Olek
        Agnieszka: Aga
        Barbara: Basia
        Magdalena: Madzia, Magda
        Elżbieta: Ela
        Krzysztof: Krzyś
        Wojciech: Wojtek
        Grzegorz: Grześ
        Józef: Józek
        Stanisław: Staś
        Piotr: Piotrek
        Paweł: Pawełek
        Michał: Michałek
        Łukasz: Łukaszek
        Zofia: Zosia
        Maria: Marysia
        Dorota: Dorotka
        Jadwiga: Jadzia
        Władysław: Władek
        Bartłomiej: Bartek
        Przemysław: Przemek
        Mateusz: Mati
        """

    /// Every table, English first.
    static let all = [text, spanish, portuguese, german, french, italian, dutch, polish]
}
