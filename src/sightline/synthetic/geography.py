"""Localities, streets and venues of the synthetic town (modelled on a South Yorkshire town)."""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


# Locality -> postcode district. Localities share a district as they do in real towns.
LOCALITIES: tuple[tuple[str, str], ...] = (
    ("Town Centre", "S60"),
    ("Moorgate", "S60"),
    ("Broom", "S60"),
    ("Whiston", "S60"),
    ("Brinsworth", "S60"),
    ("Canklow", "S60"),
    ("Kimberworth", "S61"),
    ("Greasbrough", "S61"),
    ("Ferham", "S61"),
    ("Kimberworth Park", "S61"),
    ("Thorpe Hesley", "S61"),
    ("Rawmarsh", "S62"),
    ("Parkgate", "S62"),
    ("Wath", "S63"),
    ("Brampton", "S63"),
    ("Bolton on Dearne", "S63"),
    ("Swinton", "S64"),
    ("Kilnhurst", "S64"),
    ("Eastwood", "S65"),
    ("Clifton", "S65"),
    ("East Dene", "S65"),
    ("Dalton", "S65"),
    ("Thrybergh", "S65"),
    ("Herringthorpe", "S65"),
    ("Wickersley", "S66"),
    ("Bramley", "S66"),
    ("Maltby", "S66"),
    ("Sunnyside", "S66"),
    ("Flanderwell", "S66"),
    ("Dinnington", "S25"),
    ("North Anston", "S25"),
    ("Aston", "S26"),
    ("Swallownest", "S26"),
    ("Kiveton Park", "S26"),
)
TOWN = "Rotherham"

# Street name stems and endings; stems x endings give a few thousand distinct streets.
STREET_STEMS = _words("""
Abbey Albert Alma Ash Aston Bawtry Beech Birch Blyth Boston Bradgate Bridge Broad Brook Broom Castle
Cedar Chapel Cherry Church Clifton Coronation Cross Dale Doncaster East Elm Fitzwilliam Forge Fox
Gerard Glebe Grange Greasbrough Green Grove Hall Hawthorn Hollins High Holly Honeysuckle Kent Kings
Laburnum Lime Lindley Longfellow Manor Maple Market Meadow Mill Moor Moorgate Mount Nelson New
Northfield Oak Orchard Park Pinfold Poplar Princess Queens Ravenfield Rectory Ridge Rose Rowan
Russell School Sheffield Spring Station Stanley Sycamore Thorn Tudor Valley Vicarage Victoria Walker
Warren Water Wellgate Wentworth Westgate Willow Windsor Wood York Ashwood Beaumont Carlton Denby
Elmhurst Fairfield Gainsborough Harding Ivanhoe Jubilee Kestrel Lambert Middleton Netherfield
Osborne Pennine Quarry Redbrook Saville Tennyson Upperfield Vernon Whinney Yewtree
""")
STREET_ENDINGS: tuple[tuple[str, str], ...] = (
    ("Road", "Rd"),
    ("Street", "St"),
    ("Lane", "Ln"),
    ("Avenue", "Ave"),
    ("Close", "Cl"),
    ("Crescent", "Cres"),
    ("Drive", "Dr"),
    ("Way", "Way"),
    ("Grove", "Gr"),
    ("Terrace", "Terr"),
    ("Place", "Pl"),
    ("View", "View"),
    ("Walk", "Walk"),
    ("Gardens", "Gdns"),
)
# Main roads where takeaways, shops and hotels stand.
MAIN_ROADS = (
    ("Main Street", "Main St"),
    ("Wellgate", "Wellgate"),
    ("Doncaster Road", "Doncaster Rd"),
    ("Fitzwilliam Road", "Fitzwilliam Rd"),
    ("Wortley Road", "Wortley Rd"),
    ("Effingham Street", "Effingham St"),
    ("Westgate", "Westgate"),
    ("Masbrough Street", "Masbrough St"),
    ("Bawtry Road", "Bawtry Rd"),
    ("Rawmarsh Hill", "Rawmarsh Hill"),
    ("High Street", "High St"),
    ("Canklow Road", "Canklow Rd"),
    ("Herringthorpe Valley Road", "Herringthorpe Valley Rd"),
    ("Station Road", "Station Rd"),
    ("Mansfield Road", "Mansfield Rd"),
    ("Wath Road", "Wath Rd"),
)

TAKEAWAY_NAMES = _words("""
Star_Kebab Kebab_King Pizza_Palace Mr_Chips Golden_Dragon Tasty_Chicken Golden_Fried_Chicken
Sunrise_Pizza Master_Fish_Bar Balti_House New_Jade_Garden Chicken_Hut Royal_Grill Mega_Bites
Express_Pizza Caspian_Grill Village_Chippy Lucky_Star Peri_Peri_Hut Oasis_Kebab Bella_Pizza
Top_Grill Red_Rose_Balti Happy_Garden Burger_Shack Tandoori_Nights Mario's_Pizza Diamond_Kebab
Crispy_Fried_Chicken Dragon_House Fish_Plaice Orient_Express Super_Kebab Pizza_Hot_Spot
Southern_Chicken
""")
SHOP_NAMES = _words("""
Mini_Market Late_Shop News_and_Booze Convenience_Store Off_Licence Food_and_Wine Family_Food_Store
Corner_Stores Discount_Store Phone_Repairs Vape_Shop General_Stores Pawnbrokers Booze_Express
Pound_Saver
""")
HOTEL_NAMES = (
    "Station Hotel",
    "Carlton Lodge",
    "Travel Stop",
    "Court Hotel",
    "Moorgate Guest House",
    "Park View B&B",
    "Royal Oak Inn",
    "Millstone Motel",
)
PARK_NAMES = (
    "Clifton Park",
    "Boston Castle Park",
    "Ferham Park",
    "Rosehill Park",
    "Valley Park",
    "Greasbrough Park",
    "Eastwood Recreation Ground",
    "Thrybergh Country Park",
    "Rother Valley Country Park",
    "Herringthorpe Playing Fields",
    "Kimberworth Park Rec",
    "Maltby Memorial Park",
)
CAR_PARK_NAMES = (
    "Forge Island car park",
    "Drummond Street car park",
    "Riverside car park",
    "Tesco car park, Wath",
    "Retail park car park, Parkgate",
    "Station car park",
)
# Public places every child in town passes through.
PUBLIC_PLACES: tuple[tuple[str, str, str], ...] = (
    ("Rotherham Interchange, Frederick St", "bus_station", "S60 1QA"),
    ("All Saints Square", "town_centre", "S60 1PP"),
    ("Parkgate Shopping", "shopping", "S62 6EP"),
    ("Rotherham Leisure Complex", "leisure", "S65 1AG"),
    ("Herringthorpe Leisure Centre", "leisure", "S65 3AL"),
    ("Rotherham Central Library", "library", "S65 1JH"),
)
HOSPITAL = ("Rotherham General Hospital, Moorgate Rd", "S60 2UD")
SEXUAL_HEALTH_CLINIC = ("Sexual Health Service, Greenoaks", "S60 2UD")
WALK_IN_CENTRE = ("Walk-in Centre, Greasbrough Rd", "S60 1RY")
CHILDRENS_HOMES = ("Oak House children's home", "Beech Lodge children's home", "Willow Court children's home")

TAXI_FIRMS = (
    "Parkway Cars",
    "Town Taxis",
    "Rother Valley Cars",
    "Starline Private Hire",
    "A1 Cars",
    "Station Taxis",
    "Central Cabs",
    "Fiveways Cars",
    "Dearne Cars",
    "Moorgate Private Hire",
)

SECONDARY_SCHOOL_PATTERNS = (
    "{loc} Academy",
    "{loc} Comprehensive School",
    "{loc} School",
    "St {saint}'s Catholic High School",
    "{loc} Community School",
)
PRIMARY_SCHOOL_PATTERNS = (
    "{loc} Primary School",
    "{loc} Junior and Infant School",
    "St {saint}'s C of E Primary School",
    "{loc} Infant and Nursery School",
    "{loc} Park Primary Academy",
    "{loc} Juniors",
)
SAINTS = ("Ann", "Mary", "Bernard", "Gerard", "Joseph", "Thomas", "Pius", "Bede", "Alban", "Helen", "Peter")

# Rotherham's local authority number, used in UPNs.
LA_CODE = "372"

CAR_MODELS = (
    "Vauxhall Astra",
    "Vauxhall Corsa",
    "Ford Focus",
    "Ford Fiesta",
    "BMW 3 Series",
    "Audi A3",
    "VW Golf",
    "Honda Civic",
    "Toyota Corolla",
    "Peugeot 206",
    "Renault Clio",
    "Mercedes C Class",
    "Seat Leon",
    "Nissan Micra",
)
TAXI_MODELS = ("Toyota Prius", "Skoda Octavia", "Toyota Avensis", "Ford Mondeo", "VW Passat", "Skoda Superb")
COLOURS = ("silver", "black", "white", "grey", "blue", "red", "dark blue", "green")
