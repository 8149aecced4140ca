/// Common English given names and their nicknames, one group per line: the formal name, then
/// the short forms and pet names people use for it. A short form may appear in several groups
/// (Alex, Sandy, Chris); the first group listed is its canonical reading.
enum NicknameTable {
    static let text = """
        Robert: Bob, Bobby, Rob, Robbie, Robby, Bert, Rab
        William: Bill, Billy, Will, Willy, Willie, Liam, Wil
        Elizabeth: Liz, Lizzie, Lizzy, Beth, Betty, Bette, Betsy, Eliza, Elisa, Libby, Lisa, Elise, Bess, Bessie
        Richard: Rick, Ricky, Rich, Richie, Dick, Dickie
        James: Jim, Jimmy, Jamie, Jem
        John: Johnny, Jack, Jon
        Jonathan: Jon, Johnny, Nathan
        Michael: Mike, Mikey, Mick, Micky, Mickey, Mitch
        Thomas: Tom, Tommy, Thom
        Charles: Charlie, Chuck, Chas, Chaz, Chip
        Joseph: Joe, Joey, Jo
        David: Dave, Davy, Davey
        Daniel: Dan, Danny
        Matthew: Matt, Matty
        Christopher: Chris, Kit, Topher
        Anthony: Tony, Ant
        Andrew: Andy, Drew
        Edward: Ed, Eddie, Eddy, Ted, Teddy, Ned
        Edmund: Ed, Eddie, Ned
        Edwin: Ed, Eddie
        Steven: Steve, Stevie
        Stephen: Steve, Stevie
        Kenneth: Ken, Kenny
        Joshua: Josh
        Nicholas: Nick, Nicky, Nico
        Benjamin: Ben, Benny, Benji
        Samuel: Sam, Sammy
        Alexander: Alex, Al, Alec, Sandy, Xander, Lex
        Patrick: Pat, Paddy, Patty
        Peter: Pete
        Timothy: Tim, Timmy
        Gregory: Greg
        Jeffrey: Jeff
        Geoffrey: Geoff, Jeff
        Raymond: Ray
        Lawrence: Larry, Laurie
        Laurence: Larry, Laurie
        Gerald: Gerry, Jerry
        Jeremy: Jerry
        Ronald: Ron, Ronnie
        Donald: Don, Donnie
        Douglas: Doug
        Frederick: Fred, Freddie, Freddy, Rick
        Alfred: Alf, Alfie, Fred, Freddie
        Albert: Al, Bert, Bertie
        Alan: Al
        Allen: Al
        Henry: Harry, Hank, Hal
        Harold: Harry, Hal
        Walter: Walt, Wally
        Arthur: Art, Artie
        Francis: Frank, Frankie, Fran
        Franklin: Frank
        Leonard: Len, Lenny, Leo
        Leonardo: Leo
        Eugene: Gene
        Vincent: Vince, Vinny
        Philip: Phil, Pip
        Phillip: Phil
        Raphael: Rafe, Rafa
        Ralph: Rafe
        Theodore: Ted, Teddy, Theo
        Timothy: Tim
        Zachary: Zach, Zack, Zac
        Nathaniel: Nate, Nat, Nathan
        Nathan: Nate
        Jacob: Jake, Jack
        Benedict: Ben
        Maximilian: Max
        Maxwell: Max
        Oliver: Ollie, Olly
        Oswald: Ozzie, Oz
        Reginald: Reg, Reggie
        Ronald: Ronnie
        Russell: Russ
        Sidney: Sid
        Stanley: Stan
        Terence: Terry
        Victor: Vic
        Wesley: Wes
        Mitchell: Mitch
        Cameron: Cam
        Dominic: Dom
        Gabriel: Gabe
        Isaac: Ike
        Jonah: Jon
        Kristopher: Kris
        Lewis: Lew, Lou
        Louis: Lou
        Marcus: Marc
        Mark: Marc
        Martin: Marty
        Montgomery: Monty
        Nicolas: Nick
        Randolph: Randy
        Randall: Randy
        Solomon: Sol
        Sebastian: Seb, Bastian
        Tobias: Toby
        Augustus: Gus
        Angus: Gus
        Bartholomew: Bart
        Clifford: Cliff
        Cornelius: Neil
        Ezekiel: Zeke
        Herbert: Herb, Bert
        Hubert: Bert
        Ignatius: Iggy
        Jerome: Jerry
        Mortimer: Mort
        Percival: Percy
        Rodney: Rod
        Roderick: Rod, Rick
        Ferdinand: Ferdie
        Gilbert: Gil, Bert
        Mary: Molly, Polly, Mae, Mamie, Minnie
        Margaret: Maggie, Meg, Megan, Peg, Peggy, Marge, Margie, Madge, Greta, Rita, Daisy
        Katherine: Kate, Katie, Kathy, Kat, Kay, Kitty, Kit
        Catherine: Cathy, Cate, Kate, Katie, Cat, Kay, Kitty
        Kathleen: Kathy, Kate, Kay
        Patricia: Pat, Patty, Patsy, Trish, Tricia
        Jennifer: Jen, Jenny, Jenn
        Susan: Sue, Susie, Suzy
        Suzanne: Sue, Suzy
        Deborah: Deb, Debbie, Debby
        Barbara: Barb, Barbie, Babs
        Dorothy: Dot, Dottie, Dolly
        Rebecca: Becky, Becca, Bec
        Victoria: Vicky, Vickie, Tori
        Alexandra: Alex, Alexa, Lexi, Sandra, Sandy, Xandra
        Christina: Chris, Tina, Chrissy
        Christine: Chris, Chrissy, Tina
        Jessica: Jess, Jessie
        Abigail: Abby, Abbie, Gail
        Amanda: Mandy, Amy
        Samantha: Sam, Sammy
        Victoria: Vic
        Judith: Judy, Jude
        Theresa: Terry, Tess, Tessa, Tracy
        Teresa: Terry, Tess, Tessa
        Frances: Fran, Frannie, Frankie
        Josephine: Jo, Josie, Jo-Jo
        Joanna: Jo, Jo-Anne
        Eleanor: Ellie, Nell, Nellie, Nora, Elle
        Helen: Nell, Nellie
        Ellen: Nell, Ellie
        Caroline: Carrie, Caro, Carol
        Carolyn: Carrie, Carol
        Cynthia: Cindy
        Lucinda: Cindy, Lucy
        Sandra: Sandy
        Pamela: Pam
        Virginia: Ginny, Ginger
        Penelope: Penny
        Gwendolyn: Gwen, Wendy
        Wendy: Gwen
        Harriet: Hattie
        Henrietta: Etta, Hettie
        Matilda: Tilly, Mattie, Maud
        Nancy: Nan
        Anne: Annie, Nan, Nancy
        Ann: Annie
        Hannah: Anna
        Angela: Angie
        Antonia: Toni
        Beatrice: Bea, Trixie
        Charlotte: Charlie, Lottie, Lotte
        Jacqueline: Jackie, Jacqui
        Gabrielle: Gabby
        Isabella: Bella, Izzy, Isa
        Isabel: Bella, Izzy
        Jillian: Jill
        Jane: Janie, Jenny
        Janet: Jan
        Janice: Jan
        Leslie: Les
        Louise: Lou, Lulu
        Lucille: Lucy
        Madeline: Maddy, Maddie
        Madeleine: Maddy, Maddie
        Melissa: Mel, Missy
        Melanie: Mel
        Natalie: Nat, Talia
        Olivia: Liv, Livvy
        Priscilla: Cilla
        Roberta: Bobbie, Robbie
        Ronalda: Ronnie
        Rosemary: Rose, Rosie
        Rosalind: Ros, Roz
        Sophia: Sophie
        Stephanie: Steph, Stevie
        Tabitha: Tabby
        Valerie: Val
        Veronica: Ronnie, Nicky
        Wilhelmina: Mina, Billie, Willa
        Winifred: Winnie, Freda
        Yvonne: Vonnie
        Zoe: Zoey
        """
}
