"""Street and road types of the national address standards, for the address detectors.

Data only (each list as its standard names it; :mod:`agent.pii.address_patterns` builds its patterns):

- :data:`USPS_SUFFIXES`: the primary street suffix names of USPS Publication 28, Appendix C1
  ("Street Suffix Abbreviations"), e.g. "Flats", "Isle", "Spur", "Walks";
- :data:`AU_ROAD_TYPES`: the road types of AS/NZS 4819:2011 (Rural and urban addressing), which
  Australia Post's addressing guidelines use, e.g. "Brow", "Crossway", "Esplanade", "Rosebowl";
- :data:`MX_VIALIDADES`: the kinds of road ("tipo de vialidad") of INEGI's Norma Técnica sobre
  Domicilios Geográficos (Mexico), written before the name, e.g. "Cerrada", "Periférico";
- :data:`IN_ROAD_TYPES`: the road and locality words of Indian street lines ("Marg", "Nagar", "Chowk");
- :data:`EN_STREET_TYPE_TYPOS`: the common one-edit misspellings of the English street types ("raod", "strt"),
  used only in a street line after a house number and a name.

The lists were taken from those standards as the Faker package (MIT) carries them
(``faker.providers.address.en_US/en_AU/es_MX``), deduplicated; they are kept here as data so that
no run depends on Faker's internals. Many of the words are ordinary English words ("Key",
"Light", "Union"): a pattern uses them only after a house number and a capitalised name, and
only where an address line ends (see ``address_patterns.py``: "number + street type of a national list").
"""

from __future__ import annotations

USPS_SUFFIXES = tuple(
    """
    Alley Avenue Branch Bridge Brook Brooks Burg Burgs Bypass Camp Canyon Cape Causeway Center Centers
    Circle Circles Cliff Cliffs Club Common Corner Corners Course Court Courts Cove Coves Creek
    Crescent Crest Crossing Crossroad Curve Dale Dam Divide Drive Drives Estate Estates Expressway
    Extension Extensions Fall Falls Ferry Field Fields Flat Flats Ford Fords Forest Forge Forges Fork
    Forks Fort Freeway Garden Gardens Gateway Glen Glens Green Greens Grove Groves Harbor Harbors Haven
    Heights Highway Hill Hills Hollow Inlet Island Islands Isle Junction Junctions Key Keys Knoll
    Knolls Lake Lakes Land Landing Lane Light Lights Loaf Lock Locks Lodge Loop Mall Manor Manors
    Meadow Meadows Mews Mill Mills Mission Motorway Mount Mountain Mountains Neck Orchard Oval Overpass
    Park Parks Parkway Parkways Pass Passage Path Pike Pine Pines Place Plain Plains Plaza Point Points
    Port Ports Prairie Radial Ramp Ranch Rapid Rapids Rest Ridge Ridges River Road Roads Route Row Rue
    Run Shoal Shoals Shore Shores Skyway Spring Springs Spur Spurs Square Squares Station Stravenue
    Stream Street Streets Summit Terrace Throughway Trace Track Trafficway Trail Tunnel Turnpike
    Underpass Union Unions Valley Valleys Via Viaduct View Views Village Villages Ville Vista Walk
    Walks Wall Way Ways Well Wells
    """.split()
)

AU_ROAD_TYPES = tuple(  # "_" joins a two-word type ("Fire Track")
    w.replace("_", " ")
    for w in """
    Access Alley Alleyway Amble Anchorage Approach Arcade Artery Avenue Basin Beach Bend Block
    Boulevard Brace Brae Break Bridge Broadway Brow Bypass Byway Causeway Centre Centreway Chase Circle
    Circlet Circuit Circus Close Colonnade Common Concourse Copse Corner Corso Court Courtyard Cove
    Crescent Crest Cross Crossing Crossroad Crossway Cruiseway Cul-de-sac Cutting Dale Dell Deviation
    Dip Distributor Drive Driveway Edge Elbow End Entrance Esplanade Estate Expressway Extension
    Fairway Fire_Track Firetrail Flat Follow Footway Foreshore Formation Freeway Front Frontage Gap
    Garden Gardens Gate Gates Glade Glen Grange Green Ground Grove Gully Heights Highroad Highway Hill
    Interchange Intersection Junction Key Landing Lane Laneway Lees Line Link Little Lookout Loop Lower
    Mall Meander Mew Mews Motorway Mount Nook Outlook Parade Park Parklands Parkway Part Pass Path
    Pathway Piazza Place Plateau Plaza Pocket Point Port Promenade Quad Quadrangle Quadrant Quay Quays
    Ramble Ramp Range Reach Reserve Rest Retreat Ride Ridge Ridgeway Right_Of_Way Ring Rise River
    Riverway Riviera Road Roads Roadside Roadway Ronde Rosebowl Rotary Round Route Row Rue Run
    Service_Way Siding Slope Sound Spur Square Stairs State_Highway Steps Strand Street Strip Subway
    Tarn Terrace Thoroughfare Tollway Top Tor Towers Track Trail Trailer Triangle Trunkway Turn
    Underpass Upper Vale Viaduct View Villas Vista Wade Walk Walkway Way Wynd
    """.split()
)

MX_VIALIDADES = tuple(
    w.replace("_", " ")
    for w in """
    Ampliación Andador Avenida Boulevard Calle Callejón Calzada Cerrada Circuito Circunvalación
    Continuación Corredor Diagonal Eje_vial Pasaje Peatonal Periférico Privada Prolongación Retorno
    Viaducto
    """.split()
)

# The road and locality words India Post's addresses end a street line with ("12 Prakash Marg", "13 Samra Nagar",
# "Chandni Chowk", "Daryaganj"): marg (road), nagar (colony), ganj (market quarter), chowk (square), gali (lane),
# zila (district), as Faker's en_IN street names (MIT) carry them too.
IN_ROAD_TYPES = tuple("Marg Nagar Ganj Chowk Gali Zila".split())

# Misspellings of the commonest English street types ("road", "street", "avenue", "crescent", "drive", "lane" of
# USPS Publication 28 and AS/NZS 4819 above): one edit from the type (a letter swapped, dropped, doubled or changed:
# Damerau's four kinds of single-error misspellings), each no word of the English lexicon, no name and no stop word
# ("rod", "venue", "steer" stay out). Used only between a house number with a name and the end of a street line,
# never alone: "21 ring strt", "14 mill raod".
EN_STREET_TYPE_TYPOS = tuple(
    """
    raod rooad roaad
    strt stret streeet sreet steet stree srteet streat
    avnue aveune avenuee avneue avenie
    cresent crecent crescant
    drvie dirve
    lnae
    """.split()
)
