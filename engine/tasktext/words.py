"""Word lists of the cache guard: filler, operation words, units, currencies, number words."""

from __future__ import annotations


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


# Words whose presence or absence never changes the answer of a task. Kept short on purpose:
# a word missing here only costs a cache hit, a wrong word here can serve a wrong answer.
FILLER = _words("""
a an the of for with on at by and is are be was were been being am it its it's this that these
those there here me my i we you your our please can could would will shall should do does did
have has had what which tell give show find get compute calculate determine print output display
return produce make list read load open file files let need want just then also use using via
convert conversion express
value values result results answer number numbers all every each whether if check see know
again come comes coming now kindly quickly simply exactly actually really help hey hi thanks thank so way
string text sequence series following given below-mentioned
""")

# A task with one of these words is another question each time it is asked: never a hit.
TIME_OR_CHANCE = _words("""
today today's tonight tomorrow yesterday now current currently latest recent recently
nowadays upcoming random randomly shuffle shuffled
""")

# Words that negate what follows: "not divisible", "without duplicates", "except 5".
NEGATIONS = _words("""
not no never without except excluding exclude excludes ignoring ignore ignores skipping skip
skips omitting omit omits neither nor none cannot non
""")

# Canonical forms of operation words that mean the same thing.
SYNONYMS = {
    "add": "sum", "total": "sum", "plus": "sum", "addition": "sum", "summation": "sum",
    "mean": "average", "avg": "average",
    "biggest": "max", "largest": "max", "maximum": "max", "greatest": "max", "highest": "max",
    "larger": "max", "bigger": "max", "greater": "max", "higher": "max",
    "smallest": "min", "minimum": "min", "least": "min", "lowest": "min", "smaller": "min",
    "lesser": "min", "lower": "min",
    "multiply": "product", "multiplication": "product",
    "subtraction": "subtract", "division": "divide",
    "remainder": "mod", "modulo": "mod", "modulus": "mod",
    "backward": "reverse", "backwards": "reverse", "reversed": "reverse",
    "sorted": "sort", "order": "sort", "arrange": "sort",
    "tally": "count",
    "draw": "plot", "chart": "plot", "graph": "plot",
    "primes": "prime", "fib": "fibonacci",
    "descend": "descending", "ascend": "ascending", "increasing": "ascending",
    "decreasing": "descending",
    "capitalise": "capitalize", "uppercase": "upper", "lowercase": "lower",
    "modal": "mode", "squared": "square", "cubed": "cube", "weekday": "weekday",
    "1st": "first", "final": "last", "beginning": "start", "begin": "start", "starts": "start",
    "finish": "end", "ending": "end", "ends": "end",
    "integers": "integer", "whole": "integer", "digits": "digit",
    "duplicate": "duplicate", "duplicated": "duplicate", "dupes": "duplicate",
}

# Operation words whose ORDER matters among themselves ("sum of squares" is not "square of
# the sum"); every other known operation word is compared as a set.
TRANSFORMS = _words("""
sum product average median mode max min count square cube sqrt root power factorial reverse
sort abs round floor ceiling log ln exp sin cos tan upper lower capitalize title strip split
join encode decode encrypt decrypt hash shuffle unique filter first last top bottom double
half negate transpose flatten rotate shift subtract divide minus mod replace
remove delete append merge diff rename copy move
""")

# Known operation and description words: compared as a set (plus TRANSFORMS' order). A word
# that is neither here nor in FILLER is an operand and its position among operands matters.
OPERATIONS = TRANSFORMS | _words("""
prime composite even odd positive negative zero empty divisible multiple multiples factor divisor
gcd lcm fibonacci digit integer decimal binary hexadecimal hex octal bits fraction percent
percentage ratio rate interest tax tip vat discount profit loss growth
histogram bar plot scatter pie line lines word words letter letters character characters
vowel vowels consonant consonants sentence sentences paragraph row rows column columns cell
header key keys item items element elements entry entries index indices position
length len size frequency frequencies occurrence occurrences distance
palindrome anagram substring prefix suffix whitespace space spaces punctuation
alphabetical alphabetically alphanumeric numeric uppercase lowercase case title
ascending descending increasing decreasing left right forward up down
before after older younger earlier later earliest latest oldest youngest newest
next previous longest shortest long short heavy light
inclusive exclusive including included only both either any some or
leap weekday day-of-week
save saved write print-out table multiplication matrix vector array dictionary dict json csv
tuple set union intersection difference symmetric sum-of
permutation permutations combination combinations choose factorial
sqrt cube-root logarithm natural base exponent
mean median mode variance deviation standard stdev std correlation regression
random probability
distinct unique duplicate duplicates dedupe
start end starts ends contain contains containing occur appears
swap swapped
who when where why how
""")

# Forms a value is written in: "in decimal" names a conversion's target like "to decimal".
FORMATS = _words("""
binary decimal hex hexadecimal octal roman scientific fraction percent percentage upper lower
title capitalize
""")

# Phrases rewritten before tokenising (regex, replacement), applied in order, case-insensitive.
PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bwhat's\b", "what is"), (r"\bhow's\b", "how is"), (r"\blet's\b", "let us"),
    (r"\bi'd like to know\b", ""), (r"\bi would like to know\b", ""),
    (r"\bi'd like\b", ""), (r"\bwould like(?: to)?\b", ""), (r"\bi want to know\b", ""),
    (r"\bcan you tell me\b", ""),
    (r"\b(?:do|does|did|is|are|was|were|has|have|had|can|could|would|should|will|wo|ca)n't\b",
     " not "),
    (r"\bcannot\b", " not "),
    (r"\bnon-\s*|\bnon\s+(?=\w)|\bnon(?=zero|negative|positive|empty|numeric|alpha|null|blank)",
     " not "), (r"\bother than\b", " except "), (r"\bapart from\b", " except "),
    (r"\bexcept for\b", " except "), (r"\bbut not\b", " not "), (r"\bleaving out\b", " except "),
    (r"\bcase[- ]insensitive(?:ly)?\b|\bregardless of (?:letter )?case\b|\bwithout regard to case\b"
     r"|\(any case\)|\bno matter (?:the|what) case\b", " ignoring case "),
    (r"\bhow many\b", " count "), (r"\bhow much\b", " "), (r"\bthe number of\b", " count "),
    (r"\bnumber of\b", " count "), (r"\bcount of\b", " count "),
    (r"\b(?:add|sum|total)(?:s|ed|ing)? up\b", " sum "),
    (r"\bwork out\b", " "), (r"\bfigure out\b", " "), (r"\bfind out\b", " "),
    (r"\bgreater than or equal to\b", " ≥ "), (r"\bless than or equal to\b", " ≤ "),
    (r"\bno (?:more|greater) than\b", " ≤ "), (r"\bnot (?:more|greater) than\b", " ≤ "),
    (r"\bno (?:less|fewer) than\b", " ≥ "), (r"\bnot (?:less|fewer) than\b", " ≥ "),
    (r"\bat least\b", " ≥ "), (r"\bat most\b", " ≤ "),
    (r"\b(?:more|greater|larger|bigger|higher) than\b", " > "), (r"\babove\b", " > "),
    (r"\b(?:less|fewer|smaller|lower) than\b", " < "), (r"\bbelow\b", " < "),
    (r"\bunder\b", " < "),
    (r"\b(?:raised )?to the power of\b", " ^ "), (r"\braised to\b", " ^ "),
    (r"\bdivided by\b", " / "), (r"\bmultiplied by\b", " * "),
    (r"\bsquare roots?\b", " sqrt "), (r"\bcube roots?\b", " cube-root "),
    (r"\babsolute values?\b", " abs "),
    (r"\b(?:greatest|highest) common (?:divisor|factor)\b", " gcd "), (r"\bhcf\b", " gcd "),
    (r"\b(?:least|lowest|smallest) common multiple\b", " lcm "),
    (r"\bday of the week\b", " weekday "), (r"\bweek ?day\b", " weekday "),
    (r"\bdecimal places?\b", " decimal "), (r"\bdecimal digits\b", " decimal "),
    (r"\bfrom (?:largest|biggest|highest|greatest) to (?:smallest|lowest|least)\b", " descending "),
    (r"\bfrom (?:smallest|lowest|least) to (?:largest|biggest|highest|greatest)\b", " ascending "),
    (r"\b(?:largest|biggest|highest|greatest) first\b", " descending "),
    (r"\b(?:smallest|lowest|least) first\b", " ascending "),
    (r"\bup to\b", " to "), (r"\bup until\b", " to "),
    (r"\b(?:in|with|using|via|use) python\b", " "),
    (r"\bpython (?=(?:program|script|code|function|snippet|one-liner)s?\b)", " "),
)

# "Write a program that ..." asks for the same thing as the bare task.
REQUEST = (
    r"\b(?:write|create|make|give me|show me|generate)\s+(?:a|an|some|the)?\s*"
    r"(?:(?:short|small|simple|quick|python|bash|shell)\s+)*"
    r"(?:program|script|code|function|snippet|one-liner)s?\b(?:\s+(?:that|which|to))?"
)

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}
SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9,
          "trillion": 10**12}
ORDINAL_WORDS = {
    "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "twentieth": 20, "hundredth": 100,
}

# Unit names and symbols, matched case-insensitively anywhere (longest first).
UNIT_PHRASES: dict[str, str] = {
    # temperature, angle
    "degrees celsius": "°C", "degree celsius": "°C", "deg c": "°C", "°c": "°C", "° c": "°C",
    "celsius": "°C", "centigrade": "°C",
    "degrees fahrenheit": "°F", "degree fahrenheit": "°F", "deg f": "°F", "°f": "°F",
    "° f": "°F", "fahrenheit": "°F", "kelvins": "K", "kelvin": "K",
    "degrees": "°", "degree": "°", "°": "°", "radians": "rad", "radian": "rad",
    "gradians": "grad", "gradian": "grad",
    # speed (before length, so "km/h" is one unit)
    "km/h": "km/h", "kph": "km/h", "kmh": "km/h", "kilometers per hour": "km/h",
    "kilometres per hour": "km/h", "km per hour": "km/h", "mph": "mph", "miles per hour": "mph",
    "m/s": "m/s", "meters per second": "m/s", "metres per second": "m/s", "knots": "kn",
    "knot": "kn", "ft/s": "ft/s", "feet per second": "ft/s",
    # area and volume
    "square meters": "m²", "square metres": "m²", "square meter": "m²", "square metre": "m²",
    "sq m": "m²", "m2": "m²", "m²": "m²", "square feet": "ft²", "square foot": "ft²",
    "sq ft": "ft²", "ft2": "ft²", "ft²": "ft²", "square yards": "yd²", "square yard": "yd²",
    "square kilometers": "km²", "square kilometres": "km²", "km2": "km²", "km²": "km²",
    "square miles": "mi²", "square mile": "mi²", "acres": "acre", "acre": "acre",
    "hectares": "ha", "hectare": "ha", "cubic meters": "m³", "cubic metres": "m³",
    "cubic feet": "ft³", "cubic centimeters": "cm³", "cubic centimetres": "cm³", "cc": "cm³",
    "fluid ounces": "floz", "fluid ounce": "floz", "fl oz": "floz",
    "liters": "l", "litres": "l", "liter": "l", "litre": "l", "milliliters": "ml",
    "millilitres": "ml", "milliliter": "ml", "millilitre": "ml", "ml": "ml",
    "gallons": "gal", "gallon": "gal", "gal": "gal", "quarts": "qt", "quart": "qt",
    "pints": "pt", "pint": "pt", "cups": "cup", "cup": "cup", "tablespoons": "tbsp",
    "tablespoon": "tbsp", "tbsp": "tbsp", "teaspoons": "tsp", "teaspoon": "tsp", "tsp": "tsp",
    # length
    "nautical miles": "nmi", "nautical mile": "nmi", "kilometers": "km", "kilometres": "km",
    "kilometer": "km", "kilometre": "km", "km": "km", "meters": "m", "metres": "m",
    "meter": "m", "metre": "m", "centimeters": "cm", "centimetres": "cm", "centimeter": "cm",
    "centimetre": "cm", "cm": "cm", "millimeters": "mm", "millimetres": "mm",
    "millimeter": "mm", "millimetre": "mm", "mm": "mm", "micrometers": "µm", "microns": "µm",
    "nanometers": "nm", "miles": "mi", "mile": "mi", "yards": "yd", "yard": "yd", "yd": "yd",
    "feet": "ft", "foot": "ft", "ft": "ft", "inches": "in", "inch": "in", "light years": "ly",
    "light-years": "ly",
    # mass
    "kilograms": "kg", "kilogram": "kg", "kilos": "kg", "kg": "kg", "grams": "g", "gram": "g",
    "milligrams": "mg", "milligram": "mg", "mg": "mg", "micrograms": "µg", "microgram": "µg",
    "mcg": "µg", "µg": "µg", "pounds": "lb", "pound": "lb", "lbs": "lb", "lb": "lb",
    "ounces": "oz", "ounce": "oz", "oz": "oz", "stones": "st", "tonnes": "t", "tonne": "t",
    "metric tons": "t", "tons": "ton", "ton": "ton",
    # time
    "nanoseconds": "ns", "microseconds": "µs", "milliseconds": "ms", "ms": "ms",
    "seconds": "s", "secs": "s", "sec": "s", "minutes": "min", "minute": "min", "mins": "min",
    "hours": "h", "hour": "h", "hrs": "h", "hr": "h", "days": "day", "day": "day",
    "weeks": "week", "week": "week", "months": "month", "month": "month",
    "years": "year", "year": "year", "decades": "decade", "centuries": "century",
    # data
    "bits": "bit", "bit": "bit", "bytes": "B", "byte": "B", "kilobytes": "kB", "kilobyte": "kB",
    "megabytes": "MB", "megabyte": "MB", "gigabytes": "GB", "gigabyte": "GB",
    "terabytes": "TB", "terabyte": "TB", "kibibytes": "KiB", "mebibytes": "MiB",
    "gibibytes": "GiB", "tebibytes": "TiB", "kib": "KiB", "mib": "MiB", "gib": "GiB",
    "tib": "TiB", "kilobits": "kbit", "megabits": "Mbit", "gigabits": "Gbit",
    # energy, pressure, power
    "kilocalories": "kcal", "kilocalorie": "kcal", "kcal": "kcal", "calories": "cal",
    "calorie": "cal", "kilojoules": "kJ", "kj": "kJ", "joules": "J", "joule": "J",
    "kilowatt hours": "kWh", "kilowatt-hours": "kWh", "kwh": "kWh", "watts": "W",
    "kilowatts": "kW", "horsepower": "hp", "electronvolts": "eV", "btu": "BTU",
    "atmospheres": "atm", "atmosphere": "atm", "atm": "atm", "pascals": "Pa", "pascal": "Pa",
    "kilopascals": "kPa", "kpa": "kPa", "psi": "psi", "bars": "bar", "millibars": "mbar",
    "mmhg": "mmHg",
    "percent": "%", "per cent": "%", "%": "%",
}
# Short unit symbols that are words or letters too: a unit only right after a number
# (case-sensitive: "5 MB" is megabytes, "5 Mb" megabits).
UNIT_AFTER_NUMBER: dict[str, str] = {
    "m": "m", "g": "g", "l": "l", "L": "l", "s": "s", "h": "h", "min": "min", "d": "day",
    "C": "°C", "F": "°F", "K": "K", "in": "in", "mi": "mi", "t": "t", "st": "st",
    "B": "B", "KB": "kB", "kB": "kB", "MB": "MB", "GB": "GB", "TB": "TB", "b": "bit",
    "Kb": "kbit", "kb": "kbit", "Mb": "Mbit", "Gb": "Gbit", "J": "J", "W": "W", "kW": "kW",
    "Pa": "Pa", "bar": "bar", "ha": "ha", "yr": "year", "yrs": "year", "wk": "week",
    "second": "s",
}

# Unit symbols unambiguous in this exact case, wherever they stand ("convert 1 GB to MB").
UNIT_CASED: dict[str, str] = {
    "KB": "kB", "kB": "kB", "MB": "MB", "GB": "GB", "TB": "TB", "PB": "PB", "KiB": "KiB",
    "MiB": "MiB", "GiB": "GiB", "TiB": "TiB",
}

# Currency names, codes and symbols (longest first), matched case-insensitively.
CURRENCY_PHRASES: dict[str, str] = {
    "us dollars": "USD", "us dollar": "USD", "u.s. dollars": "USD", "u.s. dollar": "USD",
    "american dollars": "USD", "us$": "USD", "usd": "USD", "dollars": "USD", "dollar": "USD",
    "bucks": "USD", "$": "USD",
    "canadian dollars": "CAD", "canadian dollar": "CAD", "c$": "CAD", "cad": "CAD",
    "australian dollars": "AUD", "australian dollar": "AUD", "a$": "AUD", "aud": "AUD",
    "new zealand dollars": "NZD", "new zealand dollar": "NZD", "nz$": "NZD", "nzd": "NZD",
    "hong kong dollars": "HKD", "hong kong dollar": "HKD", "hk$": "HKD", "hkd": "HKD",
    "singapore dollars": "SGD", "singapore dollar": "SGD", "sgd": "SGD",
    "euros": "EUR", "euro": "EUR", "eur": "EUR", "€": "EUR",
    "euro cents": "EUR-cent", "cents": "cent", "cent": "cent", "pennies": "penny",
    "pounds sterling": "GBP", "pound sterling": "GBP", "british pounds": "GBP",
    "british pound": "GBP", "sterling": "GBP", "quid": "GBP", "gbp": "GBP", "£": "GBP",
    "japanese yen": "JPY", "yen": "JPY", "jpy": "JPY", "¥": "JPY",
    "chinese yuan": "CNY", "yuan": "CNY", "renminbi": "CNY", "rmb": "CNY", "cny": "CNY",
    "indian rupees": "INR", "indian rupee": "INR", "rupees": "INR", "rupee": "INR",
    "inr": "INR", "₹": "INR",
    "swiss francs": "CHF", "swiss franc": "CHF", "chf": "CHF", "francs": "franc",
    "swedish kronor": "SEK", "swedish krona": "SEK", "sek": "SEK",
    "norwegian kroner": "NOK", "norwegian krone": "NOK", "nok": "NOK",
    "danish kroner": "DKK", "danish krone": "DKK", "dkk": "DKK",
    "mexican pesos": "MXN", "mexican peso": "MXN", "mxn": "MXN",
    "philippine pesos": "PHP", "philippine peso": "PHP", "pesos": "peso",
    "korean won": "KRW", "south korean won": "KRW", "krw": "KRW", "₩": "KRW",
    "brazilian reais": "BRL", "brazilian real": "BRL", "reais": "BRL", "brl": "BRL",
    "south african rand": "ZAR", "rand": "ZAR", "zar": "ZAR",
    "russian rubles": "RUB", "rubles": "RUB", "roubles": "RUB", "rub": "RUB", "₽": "RUB",
    "turkish lira": "TRY", "lira": "lira",
    "bitcoins": "BTC", "bitcoin": "BTC", "btc": "BTC", "₿": "BTC",
    "ether": "ETH", "ethereum": "ETH", "eth": "ETH",
}
