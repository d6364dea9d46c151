"""Units of measure by the names people write them with: each unit's dimension and its size in that
dimension's base unit (exact definitions: 1 in = 2.54 cm, 1 lb = 0.45359237 kg, 1 US gal = 231 in³)."""

from __future__ import annotations

import re

__all__ = ["UNITS", "UNIT_NAMES", "Unit", "unit_named"]

Unit = tuple[str, float, str]
"""(dimension, size in the dimension's base unit, the symbol printed with an answer)."""

_INCH = 0.0254
_FOOT = 0.3048
_POUND = 0.45359237
_GALLON = 3.785411784
# (dimension, size, symbol, the names written for it)
_TABLE: tuple[tuple[str, float, str, str], ...] = (
    ("length", 1e-9, "nm", "nm nanometer nanometers nanometre nanometres"),
    ("length", 1e-6, "µm", "µm um micrometer micrometers micrometre micrometres micron microns"),
    ("length", 1e-3, "mm", "mm millimeter millimeters millimetre millimetres"),
    ("length", 1e-2, "cm", "cm centimeter centimeters centimetre centimetres"),
    ("length", 1.0, "m", "m meter meters metre metres"),
    ("length", 1e3, "km", "km kilometer kilometers kilometre kilometres kms"),
    ("length", _INCH, "in", "in inch inches"),
    ("length", _FOOT, "ft", "ft foot feet"),
    ("length", 0.9144, "yd", "yd yard yards yds"),
    ("length", 1609.344, "mi", "mi mile miles"),
    ("length", 1852.0, "nmi", "nmi nautical-mile nautical-miles"),
    ("mass", 1e-6, "mg", "mg milligram milligrams"),
    ("mass", 1e-3, "g", "g gram grams gramme grammes"),
    ("mass", 1.0, "kg", "kg kilogram kilograms kilo kilos kgs"),
    ("mass", 1e3, "t", "tonne tonnes metric-ton metric-tons"),
    ("mass", _POUND / 16, "oz", "oz ounce ounces"),
    ("mass", _POUND, "lb", "lb lbs pound pounds"),
    ("mass", _POUND * 14, "st", "stone stones"),
    ("volume", 1e-3, "mL", "ml millilitre millilitres milliliter milliliters"),
    ("volume", 1e-2, "cL", "cl centilitre centilitres centiliter centiliters"),
    ("volume", 1.0, "L", "l litre litres liter liters ltr"),
    ("volume", 1e3, "m³", "m3 cubic-meter cubic-meters cubic-metre cubic-metres"),
    ("volume", 1e-3, "cm³", "cm3 cc cubic-centimeter cubic-centimeters cubic-centimetre cubic-centimetres"),
    ("volume", _GALLON, "gal", "gal gallon gallons us-gallon us-gallons"),
    ("volume", 4.54609, "imp gal", "imperial-gallon imperial-gallons"),
    ("volume", _GALLON / 4, "qt", "qt quart quarts"),
    ("volume", _GALLON / 8, "pt", "pt pint pints"),
    ("volume", _GALLON / 16, "cup", "cup cups"),
    ("volume", _GALLON / 128, "fl oz", "fl-oz fluid-ounce fluid-ounces"),
    ("volume", _GALLON / 256, "tbsp", "tbsp tablespoon tablespoons"),
    ("volume", _GALLON / 768, "tsp", "tsp teaspoon teaspoons"),
    ("time", 1e-3, "ms", "ms millisecond milliseconds"),
    ("time", 1.0, "s", "s sec secs second seconds"),
    ("time", 60.0, "min", "min mins minute minutes"),
    ("time", 3600.0, "h", "h hr hrs hour hours"),
    ("time", 86400.0, "days", "day days"),
    ("time", 604800.0, "weeks", "week weeks"),
    ("speed", 1.0, "m/s", "m/s mps meters-per-second metres-per-second"),
    ("speed", 1 / 3.6, "km/h", "km/h kmh kph km/hr kilometers-per-hour kilometres-per-hour"),
    ("speed", 0.44704, "mph", "mph miles-per-hour mi/h"),
    ("speed", 1852 / 3600, "knots", "knot knots kn kt"),
    ("speed", _FOOT, "ft/s", "ft/s fps feet-per-second"),
    ("area", 1e-4, "cm²", "cm2 square-centimeter square-centimeters square-centimetre square-centimetres"),
    ("area", 1.0, "m²", "m2 square-meter square-meters square-metre square-metres sq-m"),
    ("area", 1e6, "km²", "km2 square-kilometer square-kilometers square-kilometre square-kilometres sq-km"),
    ("area", 1e4, "ha", "ha hectare hectares"),
    ("area", 4046.8564224, "acres", "acre acres"),
    ("area", _FOOT ** 2, "sq ft", "ft2 sq-ft square-foot square-feet"),
    ("area", _INCH ** 2, "sq in", "in2 sq-in square-inch square-inches"),
    ("area", 0.9144 ** 2, "sq yd", "yd2 sq-yd square-yard square-yards"),
    ("area", 1609.344 ** 2, "sq mi", "mi2 sq-mi square-mile square-miles"),
    ("data", 1.0, "B", "b byte bytes"),
    ("data", 1e3, "KB", "kb kilobyte kilobytes"),
    ("data", 1e6, "MB", "mb megabyte megabytes"),
    ("data", 1e9, "GB", "gb gigabyte gigabytes"),
    ("data", 1e12, "TB", "tb terabyte terabytes"),
    ("data", 1024.0, "KiB", "kib kibibyte kibibytes"),
    ("data", 1024.0 ** 2, "MiB", "mib mebibyte mebibytes"),
    ("data", 1024.0 ** 3, "GiB", "gib gibibyte gibibytes"),
    ("data", 1024.0 ** 4, "TiB", "tib tebibyte tebibytes"),
    ("data", 1 / 8, "bits", "bit bits"),
    ("energy", 1.0, "J", "j joule joules"),
    ("energy", 1e3, "kJ", "kj kilojoule kilojoules"),
    ("energy", 4.184, "cal", "cal calorie calories"),
    ("energy", 4184.0, "kcal", "kcal kilocalorie kilocalories"),
    ("energy", 1e6, "MJ", "mj megajoule megajoules"),
    ("energy", 3600.0, "Wh", "wh watt-hour watt-hours"),
    ("energy", 3.6e6, "kWh", "kwh kilowatt-hour kilowatt-hours"),
    ("power", 1.0, "W", "w watt watts"),
    ("power", 1e3, "kW", "kw kilowatt kilowatts"),
    ("power", 1e6, "MW", "megawatt megawatts"),
    ("power", 745.69987158227022, "hp", "hp horsepower"),
    ("pressure", 1.0, "Pa", "pa pascal pascals"),
    ("pressure", 1e3, "kPa", "kpa kilopascal kilopascals"),
    ("pressure", 1e5, "bar", "bar bars"),
    ("pressure", 101325.0, "atm", "atm atmosphere atmospheres"),
    ("pressure", 6894.757293168, "psi", "psi"),
    ("pressure", 133.322387415, "mmHg", "mmhg"),
    ("temperature", 0.0, "°C", "c °c celsius centigrade degc degrees-celsius degree-celsius"),
    ("temperature", 0.0, "°F", "f °f fahrenheit degf degrees-fahrenheit degree-fahrenheit"),
    ("temperature", 0.0, "K", "k kelvin kelvins"),
)
UNITS: dict[str, Unit] = {name: (dimension, size, symbol)
                          for dimension, size, symbol, names in _TABLE for name in names.split()}
"""Each written name (lowercase; a hyphen stands for a space) and its unit."""
UNIT_NAMES = sorted(UNITS, key=len, reverse=True)
# Written case matters for a few: "m" is metres but "M" nothing, "K" kelvin, "c" only as °C
_CASE_SENSITIVE = {"K": "k", "C": "c", "F": "f", "B": "b", "J": "j", "W": "w", "L": "l"}


def unit_named(written: str) -> Unit | None:
    """The unit a name stands for ("miles", "km/h", "°F", "square feet"), or None."""
    name = re.sub(r"\s+", "-", written.strip().rstrip("."))
    if name in _CASE_SENSITIVE:
        return UNITS[_CASE_SENSITIVE[name]]
    return UNITS.get(name.lower())
