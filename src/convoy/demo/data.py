"""Demo reference data for Convoy: nations, capability coalitions, organisations, logistic nodes,
equipment items, capability packages, monthly exchange rates and demo users.

Pure data, standard library only (no Django imports), so it can be loaded by fixtures, management
commands, tests and benchmarks alike.

Sources and caveats
-------------------
* Nations: NATO membership as of 2024 (32 Allies incl. Finland and Sweden).
* Coalitions: the eight Ukraine Defense Contact Group (UDCG, "Ramstein format") capability
  coalitions and their lead nations as publicly reported in 2024. Member lists are plausible, not
  authoritative.
* Organisations and nodes: real institutions and places reported in the press; coordinates are
  city or base level (4 decimals) and are not precise facility locations. Node capacities are
  invented demo figures (pallets per day).
* Items: real equipment types. ``unit_value_eur`` figures are rough public-domain estimates (Kiel
  Institute Ukraine Support Tracker style valuations, DoD / DSCA notifications, press reports);
  they are *not* contract prices. ``nsn`` is only set where the published NSN is well known;
  otherwise it is ``None``.
* Exchange rates: approximations of ECB euro reference rates for the first business day of each
  month in 2024-2025, held flat from 2026 onwards. Not for accounting.
* Demo users: fictional people; the shared demo password is deliberately public.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class CoalitionData(TypedDict):
    name: str
    area: str
    leads: list[str]
    members: list[str]


class OrganisationData(TypedDict):
    name: str
    nation: str
    kind: str


class NodeData(TypedDict):
    name: str
    kind: str
    nation: str
    lat: float
    lon: float
    capacity: int
    organisation: str | None


class ItemData(TypedDict):
    name: str
    category: str
    unit: str
    unit_value_eur: str
    nsn: str | None
    description: str
    substitutes: list[str]
    consumes: list[str]


class CapabilityData(TypedDict):
    name: str
    coalition: str
    description: str
    components: list[tuple[str, int]]


class DemoUserData(TypedDict):
    username: str
    password: str
    nation: str
    roles: list[str]
    full_name: str
    time_zone: str


# Allowed values, exported so that models, forms and tests can share them.
NATION_KINDS: tuple[str, ...] = ("ally", "contributor", "partner", "command")
COALITION_AREAS: tuple[str, ...] = (
    "air_force",
    "armour",
    "artillery",
    "demining",
    "drones",
    "iamd",
    "it",
    "maritime",
)
ORGANISATION_KINDS: tuple[str, ...] = (
    "ministry",
    "service",
    "depot_operator",
    "training_facility",
    "repair_facility",
    "command",
    "other",
)
NODE_KINDS: tuple[str, ...] = ("depot", "hub", "repair", "training", "destination", "command")
ROLES: tuple[str, ...] = ("viewer", "editor", "approver", "coordinator", "admin")
# Plausible daily throughput (pallets/day) per node kind, inclusive bounds.
NODE_CAPACITY_RANGES: dict[str, tuple[int, int]] = {
    "hub": (300, 1500),
    "depot": (50, 400),
    "destination": (100, 600),
    "training": (20, 100),
    "repair": (10, 60),
    "command": (0, 0),
}
DEMO_PASSWORD: str = "convoy-demo-2024"

# ---------------------------------------------------------------------------------------------
# 1. Nations: (ISO 3166-1 alpha-3, English short name, kind)
# ---------------------------------------------------------------------------------------------

NATIONS: list[tuple[str, str, str]] = [
    # The 32 NATO Allies (Finland joined April 2023, Sweden March 2024).
    ("ALB", "Albania", "ally"),
    ("BEL", "Belgium", "ally"),
    ("BGR", "Bulgaria", "ally"),
    ("CAN", "Canada", "ally"),
    ("HRV", "Croatia", "ally"),
    ("CZE", "Czechia", "ally"),
    ("DNK", "Denmark", "ally"),
    ("EST", "Estonia", "ally"),
    ("FIN", "Finland", "ally"),
    ("FRA", "France", "ally"),
    ("DEU", "Germany", "ally"),
    ("GRC", "Greece", "ally"),
    ("HUN", "Hungary", "ally"),
    ("ISL", "Iceland", "ally"),
    ("ITA", "Italy", "ally"),
    ("LVA", "Latvia", "ally"),
    ("LTU", "Lithuania", "ally"),
    ("LUX", "Luxembourg", "ally"),
    ("MNE", "Montenegro", "ally"),
    ("NLD", "Netherlands", "ally"),
    ("MKD", "North Macedonia", "ally"),
    ("NOR", "Norway", "ally"),
    ("POL", "Poland", "ally"),
    ("PRT", "Portugal", "ally"),
    ("ROU", "Romania", "ally"),
    ("SVK", "Slovakia", "ally"),
    ("SVN", "Slovenia", "ally"),
    ("ESP", "Spain", "ally"),
    ("SWE", "Sweden", "ally"),
    ("TUR", "Türkiye", "ally"),
    ("GBR", "United Kingdom", "ally"),
    ("USA", "United States", "ally"),
    # Non-NATO contributors. AUS: Bushmasters, M1A1 tanks; NZL: Interflex trainers, funding;
    # JPN: vehicles, non-lethal and demining equipment; KOR: non-lethal kit and mine detectors;
    # IRL, AUT: non-lethal support via the European Peace Facility and demining;
    # CHE: humanitarian demining programme and demining machines.
    ("AUS", "Australia", "contributor"),
    ("NZL", "New Zealand", "contributor"),
    ("JPN", "Japan", "contributor"),
    ("KOR", "South Korea", "contributor"),
    ("IRL", "Ireland", "contributor"),
    ("AUT", "Austria", "contributor"),
    ("CHE", "Switzerland", "contributor"),
    ("UKR", "Ukraine", "partner"),
    # Pseudo-nation for the NATO command itself (not an ISO code).
    ("NSATU", "NATO Security Assistance and Training for Ukraine", "command"),
]

# ---------------------------------------------------------------------------------------------
# 2. Equipment categories: (code, display name)
# ---------------------------------------------------------------------------------------------

CATEGORIES: list[tuple[str, str]] = [
    ("air_defence", "Air defence"),
    ("artillery", "Artillery"),
    ("ammunition", "Ammunition"),
    ("armour", "Armour"),
    ("ifv", "Infantry fighting vehicles and APCs"),
    ("mlrs", "Multiple launch rocket systems"),
    ("engineering", "Engineering and demining"),
    ("medical", "Medical"),
    ("drones", "Drones and counter-drone"),
    ("vehicles", "Trucks and utility vehicles"),
    ("small_arms", "Small arms, anti-tank weapons and ammunition"),
    ("communications", "Communications"),
    ("maritime", "Maritime"),
]

# ---------------------------------------------------------------------------------------------
# 3. UDCG capability coalitions. Leads as publicly reported in 2024; members plausible.
# ---------------------------------------------------------------------------------------------

COALITIONS: list[CoalitionData] = [
    {
        # "F-16 coalition", led by Denmark, the Netherlands and the United States.
        "name": "Air Force Capability Coalition",
        "area": "air_force",
        "leads": ["USA", "DNK", "NLD"],
        "members": [
            "USA",
            "DNK",
            "NLD",
            "BEL",
            "CAN",
            "LUX",
            "NOR",
            "POL",
            "PRT",
            "ROU",
            "SWE",
            "GBR",
        ],
    },
    {
        # Launched by Poland and Germany on 26 March 2024 (Italy, Sweden, UK first members).
        "name": "Armoured Capability Coalition",
        "area": "armour",
        "leads": ["POL", "DEU"],
        "members": [
            "POL",
            "DEU",
            "ITA",
            "SWE",
            "GBR",
            "DNK",
            "NLD",
            "CAN",
            "FIN",
            "NOR",
            "ESP",
            "PRT",
            "CZE",
            "BEL",
        ],
    },
    {
        # Launched January 2024 under French and US leadership.
        "name": "Artillery Capability Coalition",
        "area": "artillery",
        "leads": ["FRA", "USA"],
        "members": [
            "FRA",
            "USA",
            "LUX",
            "DEU",
            "GBR",
            "DNK",
            "SWE",
            "NOR",
            "NLD",
            "CZE",
            "EST",
            "LTU",
            "ITA",
            "BEL",
        ],
    },
    {
        # Led by Lithuania and Iceland; about 20 members reported in early 2024.
        "name": "Demining Capability Coalition",
        "area": "demining",
        "leads": ["LTU", "ISL"],
        "members": [
            "LTU",
            "ISL",
            "GBR",
            "DEU",
            "NLD",
            "DNK",
            "SWE",
            "NOR",
            "FIN",
            "CAN",
            "BEL",
            "EST",
            "LVA",
            "JPN",
        ],
    },
    {
        # Led by Latvia and the United Kingdom; officially launched February 2024.
        "name": "Drone Capability Coalition",
        "area": "drones",
        "leads": ["LVA", "GBR"],
        "members": ["LVA", "GBR", "NLD", "DEU", "EST", "SWE", "DNK", "CAN", "LTU", "LUX", "AUS"],
    },
    {
        # Agreed by Germany and France in February 2024.
        "name": "Integrated Air and Missile Defence Capability Coalition",
        "area": "iamd",
        "leads": ["DEU", "FRA"],
        "members": [
            "DEU",
            "FRA",
            "USA",
            "NLD",
            "ITA",
            "ESP",
            "ROU",
            "NOR",
            "SWE",
            "CAN",
            "GBR",
            "DNK",
            "BEL",
        ],
    },
    {
        # Led by Estonia and Luxembourg; cooperation agreement signed February 2024.
        "name": "IT Capability Coalition",
        "area": "it",
        "leads": ["EST", "LUX"],
        "members": ["EST", "LUX", "BEL", "DNK", "ISL", "ITA", "LVA", "LTU", "NLD", "UKR", "GBR"],
    },
    {
        # Led by the United Kingdom and Norway (launched December 2023).
        "name": "Maritime Capability Coalition",
        "area": "maritime",
        "leads": ["GBR", "NOR"],
        "members": ["GBR", "NOR", "USA", "NLD", "SWE", "DNK", "LTU", "LVA"],
    },
]

# ---------------------------------------------------------------------------------------------
# 4. Organisations
# ---------------------------------------------------------------------------------------------

ORGANISATIONS: list[OrganisationData] = [
    # Defence ministries.
    {"name": "Federal Ministry of Defence (Germany)", "nation": "DEU", "kind": "ministry"},
    {"name": "US Department of Defense", "nation": "USA", "kind": "ministry"},
    {"name": "UK Ministry of Defence", "nation": "GBR", "kind": "ministry"},
    {"name": "Ministry of National Defence (Poland)", "nation": "POL", "kind": "ministry"},
    {"name": "Ministry of the Armed Forces (France)", "nation": "FRA", "kind": "ministry"},
    {"name": "Ministry of Defence (Netherlands)", "nation": "NLD", "kind": "ministry"},
    {"name": "Ministry of Defence (Denmark)", "nation": "DNK", "kind": "ministry"},
    {"name": "Ministry of Defence (Norway)", "nation": "NOR", "kind": "ministry"},
    {"name": "Ministry of Defence (Sweden)", "nation": "SWE", "kind": "ministry"},
    {"name": "Department of National Defence (Canada)", "nation": "CAN", "kind": "ministry"},
    {"name": "Ministry of Defence (Italy)", "nation": "ITA", "kind": "ministry"},
    {"name": "Ministry of Defence (Spain)", "nation": "ESP", "kind": "ministry"},
    {"name": "Ministry of Defence (Czechia)", "nation": "CZE", "kind": "ministry"},
    {"name": "Ministry of National Defence (Lithuania)", "nation": "LTU", "kind": "ministry"},
    {"name": "Ministry of Defence (Latvia)", "nation": "LVA", "kind": "ministry"},
    {"name": "Ministry of Defence (Estonia)", "nation": "EST", "kind": "ministry"},
    {"name": "Directorate of Defence (Luxembourg)", "nation": "LUX", "kind": "ministry"},
    # Iceland has no armed forces; defence matters sit with its foreign ministry.
    {"name": "Ministry for Foreign Affairs (Iceland)", "nation": "ISL", "kind": "ministry"},
    {"name": "Ministry of National Defence (Romania)", "nation": "ROU", "kind": "ministry"},
    {"name": "Department of Defence (Australia)", "nation": "AUS", "kind": "ministry"},
    {"name": "Ministry of Defence of Ukraine", "nation": "UKR", "kind": "ministry"},
    # Armed services.
    {"name": "Armed Forces of Ukraine", "nation": "UKR", "kind": "service"},
    {"name": "Ukrainian Air Force", "nation": "UKR", "kind": "service"},
    {"name": "Ukrainian Navy", "nation": "UKR", "kind": "service"},
    {"name": "Unmanned Systems Forces of Ukraine", "nation": "UKR", "kind": "service"},
    {"name": "Bundeswehr", "nation": "DEU", "kind": "service"},
    {"name": "US Army Europe and Africa", "nation": "USA", "kind": "service"},
    {"name": "US Air Forces in Europe (USAFE)", "nation": "USA", "kind": "service"},
    {"name": "Royal Danish Air Force", "nation": "DNK", "kind": "service"},
    # Commands.
    {"name": "NSATU Headquarters", "nation": "NSATU", "kind": "command"},
    {"name": "Security Assistance Group-Ukraine (SAG-U)", "nation": "USA", "kind": "command"},
    # Depot and logistics operators.
    {"name": "Bundeswehr Logistics Command", "nation": "DEU", "kind": "depot_operator"},
    {"name": "Defence Equipment and Support (DE&S)", "nation": "GBR", "kind": "depot_operator"},
    {"name": "405th Army Field Support Brigade", "nation": "USA", "kind": "depot_operator"},
    {
        "name": "Defense Logistics Agency Distribution Europe",
        "nation": "USA",
        "kind": "depot_operator",
    },
    {"name": "US Army Materiel Command", "nation": "USA", "kind": "depot_operator"},
    {
        "name": "Armed Forces Support Inspectorate (Poland)",
        "nation": "POL",
        "kind": "depot_operator",
    },
    {"name": "Joint Ammunition Service (SIMu)", "nation": "FRA", "kind": "depot_operator"},
    {"name": "Norwegian Defence Logistics Organisation", "nation": "NOR", "kind": "depot_operator"},
    {
        "name": "Swedish Defence Materiel Administration (FMV)",
        "nation": "SWE",
        "kind": "depot_operator",
    },
    {"name": "Finnish Defence Forces Logistics Command", "nation": "FIN", "kind": "depot_operator"},
    # Training organisations.
    {"name": "7th Army Training Command", "nation": "USA", "kind": "training_facility"},
    {"name": "Operation Interflex", "nation": "GBR", "kind": "training_facility"},
    # EUMAM UA: Combined Arms Training Command in Poland, Special Training Command in Germany.
    {
        "name": "EUMAM UA Combined Arms Training Command (CAT-C)",
        "nation": "POL",
        "kind": "training_facility",
    },
    {
        "name": "EUMAM UA Special Training Command (ST-C)",
        "nation": "DEU",
        "kind": "training_facility",
    },
    # Run by Romania with the Netherlands and Lockheed Martin at the 86th Air Base, Fetesti.
    {"name": "European F-16 Training Center (EFTC)", "nation": "ROU", "kind": "training_facility"},
    # French task force that trained the "Anne of Kyiv" brigade in Champagne, autumn 2024.
    {"name": "Task Force Champagne", "nation": "FRA", "kind": "training_facility"},
    {"name": "US Army Fires Center of Excellence", "nation": "USA", "kind": "training_facility"},
    # Industry repair and refurbishment.
    {"name": "Rheinmetall", "nation": "DEU", "kind": "repair_facility"},
    {"name": "KNDS Deutschland", "nation": "DEU", "kind": "repair_facility"},
    # Rheinmetall / KMW joint venture in Jonava; repairs Leopard 2A5/2A6 and PzH 2000 for Ukraine.
    {"name": "Lithuania Defence Services (LDS)", "nation": "LTU", "kind": "repair_facility"},
    # Repairs Ukraine's Leopard 2A4 tanks (PGZ group).
    {"name": "Bumar-Łabędy", "nation": "POL", "kind": "repair_facility"},
    # Refurbished the T-72EA tanks funded by the USA and the Netherlands.
    {"name": "Excalibur Army", "nation": "CZE", "kind": "repair_facility"},
    {"name": "VOP CZ", "nation": "CZE", "kind": "repair_facility"},
    # Refurbishes Leopard 1A5 tanks for Ukraine.
    {
        "name": "Flensburger Fahrzeugbau Gesellschaft (FFG)",
        "nation": "DEU",
        "kind": "repair_facility",
    },
    # Overhauled Spain's donated Leopard 2A4 tanks.
    {"name": "Santa Bárbara Sistemas", "nation": "ESP", "kind": "repair_facility"},
]

# ---------------------------------------------------------------------------------------------
# 5. Logistic nodes. ``nation`` is where the node is located; the operator (possibly a foreign
#    organisation, e.g. US Army sites in Germany) is given by ``organisation``.
# ---------------------------------------------------------------------------------------------

NODES: list[NodeData] = [
    # Command.
    {
        "name": "NSATU HQ Wiesbaden (Clay Kaserne)",
        "kind": "command",
        "nation": "DEU",
        "lat": 50.0500,
        "lon": 8.3250,
        "capacity": 0,
        "organisation": "NSATU Headquarters",
    },
    # Logistic hubs.
    {
        "name": "Rzeszów-Jasionka logistics hub",
        "kind": "hub",
        "nation": "POL",
        "lat": 50.1100,
        "lon": 22.0190,
        "capacity": 1500,
        "organisation": None,
    },
    {
        "name": "Przemyśl rail transhipment hub",
        "kind": "hub",
        "nation": "POL",
        "lat": 49.7838,
        "lon": 22.7678,
        "capacity": 600,
        "organisation": None,
    },
    {
        "name": "Suceava logistics hub",
        "kind": "hub",
        "nation": "ROU",
        "lat": 47.6875,
        "lon": 26.3541,
        "capacity": 400,
        "organisation": None,
    },
    {
        "name": "Constanța port hub",
        "kind": "hub",
        "nation": "ROU",
        "lat": 44.1650,
        "lon": 28.6550,
        "capacity": 800,
        "organisation": None,
    },
    {
        "name": "Košice logistics hub",
        "kind": "hub",
        "nation": "SVK",
        "lat": 48.6631,
        "lon": 21.2411,
        "capacity": 400,
        "organisation": None,
    },
    {
        "name": "Ramstein Air Base aerial port",
        "kind": "hub",
        "nation": "DEU",
        "lat": 49.4369,
        "lon": 7.6003,
        "capacity": 1000,
        "organisation": "US Air Forces in Europe (USAFE)",
    },
    {
        "name": "Dover Air Force Base aerial port",
        "kind": "hub",
        "nation": "USA",
        "lat": 39.1295,
        "lon": -75.4660,
        "capacity": 800,
        "organisation": None,
    },
    # Donor depots.
    {
        "name": "DLA Distribution Germersheim",
        "kind": "depot",
        "nation": "DEU",
        "lat": 49.2231,
        "lon": 8.3639,
        "capacity": 300,
        "organisation": "Defense Logistics Agency Distribution Europe",
    },
    {
        "name": "APS-2 Dülmen",
        "kind": "depot",
        "nation": "DEU",
        "lat": 51.8308,
        "lon": 7.2800,
        "capacity": 200,
        "organisation": "405th Army Field Support Brigade",
    },
    {
        "name": "Rheinmetall Unterlüß plant",
        "kind": "depot",
        "nation": "DEU",
        "lat": 52.8350,
        "lon": 10.2917,
        "capacity": 150,
        "organisation": "Rheinmetall",
    },
    {
        "name": "MOD Bicester",
        "kind": "depot",
        "nation": "GBR",
        "lat": 51.8660,
        "lon": -1.1130,
        "capacity": 300,
        "organisation": "Defence Equipment and Support (DE&S)",
    },
    {
        "name": "Letterkenny Army Depot",
        "kind": "depot",
        "nation": "USA",
        "lat": 39.9800,
        "lon": -77.6400,
        "capacity": 400,
        "organisation": "US Army Materiel Command",
    },
    {
        "name": "APS-2 Powidz",
        "kind": "depot",
        "nation": "POL",
        "lat": 52.3794,
        "lon": 17.8539,
        "capacity": 200,
        "organisation": "405th Army Field Support Brigade",
    },
    {
        "name": "3rd Regional Logistics Base Kraków",
        "kind": "depot",
        "nation": "POL",
        "lat": 50.0647,
        "lon": 19.9450,
        "capacity": 250,
        "organisation": "Armed Forces Support Inspectorate (Poland)",
    },
    {
        "name": "Miramas ammunition depot",
        "kind": "depot",
        "nation": "FRA",
        "lat": 43.5822,
        "lon": 5.0019,
        "capacity": 200,
        "organisation": "Joint Ammunition Service (SIMu)",
    },
    {
        "name": "APS-2 Eygelshoven",
        "kind": "depot",
        "nation": "NLD",
        "lat": 50.8917,
        "lon": 6.0583,
        "capacity": 200,
        "organisation": "405th Army Field Support Brigade",
    },
    {
        "name": "APS-2 Zutendaal",
        "kind": "depot",
        "nation": "BEL",
        "lat": 50.9330,
        "lon": 5.5750,
        "capacity": 200,
        "organisation": "405th Army Field Support Brigade",
    },
    {
        "name": "Haakonsvern naval base",
        "kind": "depot",
        "nation": "NOR",
        "lat": 60.3357,
        "lon": 5.2334,
        "capacity": 80,
        "organisation": "Norwegian Defence Logistics Organisation",
    },
    {
        "name": "Karup air base",
        "kind": "depot",
        "nation": "DNK",
        "lat": 56.2975,
        "lon": 9.1246,
        "capacity": 100,
        "organisation": None,
    },
    {
        "name": "Arboga depot",
        "kind": "depot",
        "nation": "SWE",
        "lat": 59.3939,
        "lon": 15.8380,
        "capacity": 100,
        "organisation": "Swedish Defence Materiel Administration (FMV)",
    },
    {
        "name": "Tampere logistics depot",
        "kind": "depot",
        "nation": "FIN",
        "lat": 61.4978,
        "lon": 23.7610,
        "capacity": 100,
        "organisation": "Finnish Defence Forces Logistics Command",
    },
    {
        "name": "CFAD Bedford",
        "kind": "depot",
        "nation": "CAN",
        "lat": 44.7200,
        "lon": -63.6400,
        "capacity": 120,
        "organisation": "Department of National Defence (Canada)",
    },
    {
        "name": "VOP CZ Šenov",
        "kind": "depot",
        "nation": "CZE",
        "lat": 49.7931,
        "lon": 18.3759,
        "capacity": 120,
        "organisation": "VOP CZ",
    },
    {
        "name": "RAAF Base Amberley",
        "kind": "depot",
        "nation": "AUS",
        "lat": -27.6406,
        "lon": 152.7119,
        "capacity": 80,
        "organisation": "Department of Defence (Australia)",
    },
    # Repair facilities.
    {
        "name": "Rheinmetall service hub Satu Mare",
        "kind": "repair",
        "nation": "ROU",
        "lat": 47.7900,
        "lon": 22.8857,
        "capacity": 40,
        "organisation": "Rheinmetall",
    },
    {
        "name": "LDS maintenance centre Jonava",
        "kind": "repair",
        "nation": "LTU",
        "lat": 55.0727,
        "lon": 24.2797,
        "capacity": 30,
        "organisation": "Lithuania Defence Services (LDS)",
    },
    # Operated by KNDS (KMW) from December 2022; Germany announced its move to Germany end-2024.
    {
        "name": "KNDS repair hub Michalovce",
        "kind": "repair",
        "nation": "SVK",
        "lat": 48.7543,
        "lon": 21.9195,
        "capacity": 30,
        "organisation": "KNDS Deutschland",
    },
    {
        "name": "Bumar-Łabędy Gliwice",
        "kind": "repair",
        "nation": "POL",
        "lat": 50.3370,
        "lon": 18.5980,
        "capacity": 25,
        "organisation": "Bumar-Łabędy",
    },
    {
        "name": "Excalibur Army Šternberk",
        "kind": "repair",
        "nation": "CZE",
        "lat": 49.7305,
        "lon": 17.2989,
        "capacity": 30,
        "organisation": "Excalibur Army",
    },
    {
        "name": "FFG Flensburg",
        "kind": "repair",
        "nation": "DEU",
        "lat": 54.7937,
        "lon": 9.4469,
        "capacity": 20,
        "organisation": "Flensburger Fahrzeugbau Gesellschaft (FFG)",
    },
    {
        "name": "Santa Bárbara Sistemas Alcalá de Guadaíra",
        "kind": "repair",
        "nation": "ESP",
        "lat": 37.3375,
        "lon": -5.8395,
        "capacity": 15,
        "organisation": "Santa Bárbara Sistemas",
    },
    {
        "name": "Piacenza heavy maintenance centre",
        "kind": "repair",
        "nation": "ITA",
        "lat": 45.0526,
        "lon": 9.6930,
        "capacity": 20,
        "organisation": "Ministry of Defence (Italy)",
    },
    # Training facilities.
    {
        "name": "Grafenwöhr Training Area",
        "kind": "training",
        "nation": "DEU",
        "lat": 49.6986,
        "lon": 11.9406,
        "capacity": 100,
        "organisation": "7th Army Training Command",
    },
    {
        "name": "Klietz training area",
        "kind": "training",
        "nation": "DEU",
        "lat": 52.6750,
        "lon": 12.0667,
        "capacity": 40,
        "organisation": "Bundeswehr",
    },
    {
        "name": "Munster training area",
        "kind": "training",
        "nation": "DEU",
        "lat": 52.9866,
        "lon": 10.0882,
        "capacity": 40,
        "organisation": "Bundeswehr",
    },
    {
        "name": "Strausberg (EUMAM UA ST-C)",
        "kind": "training",
        "nation": "DEU",
        "lat": 52.5790,
        "lon": 13.8830,
        "capacity": 20,
        "organisation": "EUMAM UA Special Training Command (ST-C)",
    },
    {
        "name": "Salisbury Plain Training Area",
        "kind": "training",
        "nation": "GBR",
        "lat": 51.2000,
        "lon": -1.8500,
        "capacity": 100,
        "organisation": "Operation Interflex",
    },
    {
        "name": "Żagań (EUMAM UA CAT-C)",
        "kind": "training",
        "nation": "POL",
        "lat": 51.6176,
        "lon": 15.3150,
        "capacity": 80,
        "organisation": "EUMAM UA Combined Arms Training Command (CAT-C)",
    },
    {
        "name": "Fetești air base (EFTC)",
        "kind": "training",
        "nation": "ROU",
        "lat": 44.3922,
        "lon": 27.7267,
        "capacity": 30,
        "organisation": "European F-16 Training Center (EFTC)",
    },
    {
        "name": "Skrydstrup air base",
        "kind": "training",
        "nation": "DNK",
        "lat": 55.2257,
        "lon": 9.2639,
        "capacity": 20,
        "organisation": "Royal Danish Air Force",
    },
    {
        "name": "San Gregorio training area (Zaragoza)",
        "kind": "training",
        "nation": "ESP",
        "lat": 41.7500,
        "lon": -0.9000,
        "capacity": 40,
        "organisation": "Ministry of Defence (Spain)",
    },
    {
        "name": "Mailly-le-Camp",
        "kind": "training",
        "nation": "FRA",
        "lat": 48.6667,
        "lon": 4.2167,
        "capacity": 80,
        "organisation": "Task Force Champagne",
    },
    {
        "name": "Fort Sill",
        "kind": "training",
        "nation": "USA",
        "lat": 34.6500,
        "lon": -98.4000,
        "capacity": 40,
        "organisation": "US Army Fires Center of Excellence",
    },
    # Destinations in Ukraine (city-centre coordinates).
    {
        "name": "Lviv",
        "kind": "destination",
        "nation": "UKR",
        "lat": 49.8397,
        "lon": 24.0297,
        "capacity": 600,
        "organisation": "Armed Forces of Ukraine",
    },
    {
        "name": "Kyiv",
        "kind": "destination",
        "nation": "UKR",
        "lat": 50.4501,
        "lon": 30.5234,
        "capacity": 600,
        "organisation": "Armed Forces of Ukraine",
    },
    {
        "name": "Vinnytsia",
        "kind": "destination",
        "nation": "UKR",
        "lat": 49.2331,
        "lon": 28.4682,
        "capacity": 400,
        "organisation": "Armed Forces of Ukraine",
    },
    {
        "name": "Dnipro",
        "kind": "destination",
        "nation": "UKR",
        "lat": 48.4647,
        "lon": 35.0462,
        "capacity": 500,
        "organisation": "Armed Forces of Ukraine",
    },
    {
        "name": "Kharkiv",
        "kind": "destination",
        "nation": "UKR",
        "lat": 49.9935,
        "lon": 36.2304,
        "capacity": 400,
        "organisation": "Armed Forces of Ukraine",
    },
    {
        "name": "Zaporizhzhia",
        "kind": "destination",
        "nation": "UKR",
        "lat": 47.8388,
        "lon": 35.1396,
        "capacity": 400,
        "organisation": "Armed Forces of Ukraine",
    },
    {
        "name": "Odesa",
        "kind": "destination",
        "nation": "UKR",
        "lat": 46.4825,
        "lon": 30.7233,
        "capacity": 400,
        "organisation": "Ukrainian Navy",
    },
    {
        "name": "Kramatorsk",
        "kind": "destination",
        "nation": "UKR",
        "lat": 48.7231,
        "lon": 37.5563,
        "capacity": 300,
        "organisation": "Armed Forces of Ukraine",
    },
    {
        "name": "Mykolaiv",
        "kind": "destination",
        "nation": "UKR",
        "lat": 46.9750,
        "lon": 31.9946,
        "capacity": 250,
        "organisation": "Armed Forces of Ukraine",
    },
    {
        "name": "Poltava",
        "kind": "destination",
        "nation": "UKR",
        "lat": 49.5883,
        "lon": 34.5514,
        "capacity": 300,
        "organisation": "Armed Forces of Ukraine",
    },
]

# ---------------------------------------------------------------------------------------------
# 6. Equipment items. Values are rough EUR estimates per unit of issue (see module docstring).
#    "substitutes": the items this item can stand in for (same calibre / interoperable role).
#    "consumes": the items this system needs to operate (ammunition, interceptors).
# ---------------------------------------------------------------------------------------------

ITEMS: list[ItemData] = [
    # --- Air defence ---------------------------------------------------------------------------
    # Patriot: CSIS (2023) put a battery at ~USD 400 m of ground equipment plus ~USD 690 m of
    # missiles; the split between radar, control station and launchers below is an estimate.
    {
        "name": "Patriot launcher M903",
        "category": "air_defence",
        "unit": "launcher",
        "unit_value_eur": "9500000.00",
        "nsn": None,
        "description": "Patriot launcher: up to 12 PAC-3 MSE or 4 PAC-2 GEM-T interceptors.",
        "substitutes": [],
        "consumes": ["PAC-3 MSE interceptor", "PAC-2 GEM-T interceptor"],
    },
    {
        "name": "Patriot radar AN/MPQ-65",
        "category": "air_defence",
        "unit": "system",
        "unit_value_eur": "180000000.00",
        "nsn": None,
        "description": "Patriot multifunction phased-array radar set.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "Patriot engagement control station AN/MSQ-132",
        "category": "air_defence",
        "unit": "system",
        "unit_value_eur": "30000000.00",
        "nsn": None,
        "description": "Fire-control shelter of a Patriot battery.",
        "substitutes": [],
        "consumes": [],
    },
    # PAC-3 MSE ~USD 4 m each in recent US contracts.
    {
        "name": "PAC-3 MSE interceptor",
        "category": "air_defence",
        "unit": "missile",
        "unit_value_eur": "3700000.00",
        "nsn": None,
        "description": "Hit-to-kill Patriot interceptor against ballistic missiles and aircraft.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "PAC-2 GEM-T interceptor",
        "category": "air_defence",
        "unit": "missile",
        "unit_value_eur": "3500000.00",
        "nsn": None,
        "description": "Blast-fragmentation Patriot interceptor for aircraft and cruise missiles.",
        "substitutes": [],
        "consumes": [],
    },
    # Germany has pledged IRIS-T SLM fire units since 2022; ~EUR 140 m per fire unit is a press
    # estimate for launchers, radar and command post without missiles.
    {
        "name": "IRIS-T SLM fire unit",
        "category": "air_defence",
        "unit": "system",
        "unit_value_eur": "140000000.00",
        "nsn": None,
        "description": "Medium-range air-defence fire unit: launchers, radar and command post.",
        "substitutes": [],
        "consumes": ["IRIS-T SL missile"],
    },
    {
        "name": "IRIS-T SL missile",
        "category": "air_defence",
        "unit": "missile",
        "unit_value_eur": "430000.00",
        "nsn": None,
        "description": "Surface-launched IRIS-T interceptor, range about 40 km.",
        "substitutes": [],
        "consumes": [],
    },
    # Two NASAMS were bought for Ukraine for ~USD 182 m (2022, DoD).
    {
        "name": "NASAMS fire unit",
        "category": "air_defence",
        "unit": "system",
        "unit_value_eur": "85000000.00",
        "nsn": None,
        "description": "Norwegian-US medium-range air-defence system firing AMRAAM and AIM-9X.",
        "substitutes": [],
        "consumes": ["AIM-120 AMRAAM", "AIM-9X Sidewinder"],
    },
    {
        "name": "AIM-120 AMRAAM",
        "category": "air_defence",
        "unit": "missile",
        "unit_value_eur": "1000000.00",
        "nsn": None,
        "description": "Active radar-guided air-to-air missile, also surface-launched from NASAMS.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "AIM-9M Sidewinder",
        "category": "air_defence",
        "unit": "missile",
        "unit_value_eur": "200000.00",
        "nsn": None,
        "description": "Older infrared-guided short-range air-to-air missile.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "AIM-9X Sidewinder",
        "category": "air_defence",
        "unit": "missile",
        "unit_value_eur": "430000.00",
        "nsn": None,
        "description": "Imaging-infrared short-range air-to-air missile.",
        "substitutes": ["AIM-9M Sidewinder"],
        "consumes": [],
    },
    # SAMP/T: public estimates EUR 0.4-0.8 bn per battery incl. missiles.
    {
        "name": "SAMP/T fire unit",
        "category": "air_defence",
        "unit": "system",
        "unit_value_eur": "450000000.00",
        "nsn": None,
        "description": "Franco-Italian long-range air-defence system (ground equipment).",
        "substitutes": [],
        "consumes": ["Aster 30 missile"],
    },
    {
        "name": "Aster 30 missile",
        "category": "air_defence",
        "unit": "missile",
        "unit_value_eur": "2000000.00",
        "nsn": None,
        "description": "Interceptor of the SAMP/T system.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "Gepard SPAAG",
        "category": "air_defence",
        "unit": "vehicle",
        "unit_value_eur": "5000000.00",
        "nsn": None,
        "description": "German twin 35 mm self-propelled anti-aircraft gun (ex-Bundeswehr).",
        "substitutes": [],
        "consumes": ["35 mm HEI-T round"],
    },
    {
        "name": "Skynex air-defence system",
        "category": "air_defence",
        "unit": "system",
        "unit_value_eur": "80000000.00",
        "nsn": None,
        "description": "Rheinmetall short-range gun air-defence system with 35 mm revolver guns.",
        "substitutes": [],
        "consumes": ["35 mm AHEAD round", "35 mm HEI-T round"],
    },
    {
        "name": "FIM-92 Stinger",
        "category": "air_defence",
        "unit": "missile",
        "unit_value_eur": "420000.00",
        "nsn": None,
        "description": "Man-portable infrared-guided surface-to-air missile.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "Mistral 3 missile",
        "category": "air_defence",
        "unit": "missile",
        "unit_value_eur": "330000.00",
        "nsn": None,
        "description": "French very-short-range infrared surface-to-air missile.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "MIM-23 Hawk launcher M192",
        "category": "air_defence",
        "unit": "launcher",
        "unit_value_eur": "2000000.00",
        "nsn": None,
        "description": "Towed triple launcher of the Hawk medium-range air-defence system.",
        "substitutes": [],
        "consumes": ["MIM-23B Hawk missile"],
    },
    {
        "name": "MIM-23B Hawk missile",
        "category": "air_defence",
        "unit": "missile",
        "unit_value_eur": "250000.00",
        "nsn": None,
        "description": "Semi-active radar-homing Hawk interceptor.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "F-16AM Fighting Falcon",
        "category": "air_defence",
        "unit": "aircraft",
        "unit_value_eur": "25000000.00",
        "nsn": None,
        "description": "Used MLU F-16 fighter, mainly flown against cruise missiles and drones.",
        "substitutes": [],
        "consumes": ["AIM-120 AMRAAM", "AIM-9X Sidewinder", "AIM-9M Sidewinder"],
    },
    # --- Artillery -----------------------------------------------------------------------------
    # Ukraine's order of 100 PzH 2000 was reported at ~EUR 1.7 bn (2022).
    {
        "name": "PzH 2000",
        "category": "artillery",
        "unit": "system",
        "unit_value_eur": "17000000.00",
        "nsn": None,
        "description": "German 155 mm/52 tracked self-propelled howitzer.",
        "substitutes": ["AHS Krab"],
        "consumes": ["155 mm HE DM121", "155 mm HE M795", "155 mm Excalibur M982"],
    },
    {
        "name": "CAESAR 155 mm self-propelled howitzer",
        "category": "artillery",
        "unit": "system",
        "unit_value_eur": "5000000.00",
        "nsn": None,
        "description": "French truck-mounted 155 mm/52 howitzer.",
        "substitutes": ["Zuzana 2"],
        "consumes": ["155 mm HE LU211", "155 mm HE M795"],
    },
    {
        "name": "M777 howitzer",
        "category": "artillery",
        "unit": "system",
        "unit_value_eur": "3000000.00",
        "nsn": None,
        "description": "Lightweight towed 155 mm/39 howitzer.",
        "substitutes": ["FH70 towed howitzer"],
        "consumes": ["155 mm HE M795", "155 mm HE M107", "155 mm Excalibur M982"],
    },
    {
        "name": "FH70 towed howitzer",
        "category": "artillery",
        "unit": "system",
        "unit_value_eur": "1000000.00",
        "nsn": None,
        "description": "Anglo-German-Italian towed 155 mm/39 howitzer.",
        "substitutes": ["M777 howitzer"],
        "consumes": ["155 mm HE M107", "155 mm HE L15A1"],
    },
    {
        "name": "AS-90",
        "category": "artillery",
        "unit": "system",
        "unit_value_eur": "2500000.00",
        "nsn": None,
        "description": "British 155 mm/39 tracked self-propelled howitzer.",
        "substitutes": ["M109A6 Paladin"],
        "consumes": ["155 mm HE L15A1", "155 mm HE M107"],
    },
    {
        "name": "Archer FH77BW L52",
        "category": "artillery",
        "unit": "system",
        "unit_value_eur": "9000000.00",
        "nsn": None,
        "description": "Swedish wheeled 155 mm/52 self-propelled howitzer.",
        "substitutes": ["CAESAR 155 mm self-propelled howitzer"],
        "consumes": ["155 mm HE M795", "155 mm Excalibur M982"],
    },
    # 16 Zuzana 2 were bought for Ukraine by Denmark, Germany and Norway for ~EUR 92 m (2022).
    {
        "name": "Zuzana 2",
        "category": "artillery",
        "unit": "system",
        "unit_value_eur": "5750000.00",
        "nsn": None,
        "description": "Slovak wheeled 155 mm/52 self-propelled howitzer.",
        "substitutes": ["CAESAR 155 mm self-propelled howitzer"],
        "consumes": ["155 mm HE M795"],
    },
    {
        "name": "AHS Krab",
        "category": "artillery",
        "unit": "system",
        "unit_value_eur": "10000000.00",
        "nsn": None,
        "description": "Polish tracked 155 mm/52 self-propelled howitzer.",
        "substitutes": ["PzH 2000"],
        "consumes": ["155 mm HE M795", "155 mm HE DM121"],
    },
    {
        "name": "M109A6 Paladin",
        "category": "artillery",
        "unit": "system",
        "unit_value_eur": "3500000.00",
        "nsn": None,
        "description": "US 155 mm/39 tracked self-propelled howitzer.",
        "substitutes": ["AS-90"],
        "consumes": ["155 mm HE M795", "155 mm HE M107"],
    },
    {
        "name": "L119 light gun",
        "category": "artillery",
        "unit": "system",
        "unit_value_eur": "800000.00",
        "nsn": None,
        "description": "British 105 mm towed light gun chambered for US 105 mm ammunition.",
        "substitutes": ["M119A3 howitzer"],
        "consumes": ["105 mm HE M1"],
    },
    {
        "name": "M119A3 howitzer",
        "category": "artillery",
        "unit": "system",
        "unit_value_eur": "1000000.00",
        "nsn": None,
        "description": "US 105 mm towed howitzer, licence-built L119.",
        "substitutes": ["L119 light gun"],
        "consumes": ["105 mm HE M1"],
    },
    # --- Ammunition ----------------------------------------------------------------------------
    # 155 mm HE: 2023-24 reporting ranges from ~EUR 3,000 (pre-war US) to ~EUR 8,000 (new EU).
    {
        "name": "155 mm HE M795",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "4000.00",
        "nsn": None,
        "description": "US 155 mm high-explosive projectile.",
        "substitutes": ["155 mm HE M107", "155 mm HE L15A1", "155 mm HE DM121", "155 mm HE LU211"],
        "consumes": [],
    },
    {
        "name": "155 mm HE M107",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "2500.00",
        "nsn": None,
        "description": "Older US 155 mm high-explosive projectile from stockpiles.",
        "substitutes": ["155 mm HE M795"],
        "consumes": [],
    },
    {
        "name": "155 mm HE L15A1",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "4000.00",
        "nsn": None,
        "description": "British 155 mm high-explosive projectile.",
        "substitutes": ["155 mm HE M795", "155 mm HE M107"],
        "consumes": [],
    },
    {
        "name": "155 mm HE DM121",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "4500.00",
        "nsn": None,
        "description": "155 mm high-explosive projectile in Bundeswehr service.",
        "substitutes": ["155 mm HE M795", "155 mm HE L15A1"],
        "consumes": [],
    },
    {
        "name": "155 mm HE LU211",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "4500.00",
        "nsn": None,
        "description": "French (KNDS France) 155 mm high-explosive projectile.",
        "substitutes": ["155 mm HE M795", "155 mm HE DM121"],
        "consumes": [],
    },
    {
        "name": "155 mm Excalibur M982",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "110000.00",
        "nsn": None,
        "description": "GPS-guided extended-range 155 mm projectile.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "105 mm HE M1",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "1000.00",
        "nsn": None,
        "description": "US 105 mm high-explosive howitzer round.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "105 mm APFSDS DM33",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "5000.00",
        "nsn": None,
        "description": "105 mm kinetic-energy tank round for the L7 gun.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "105 mm HEAT M456",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "2000.00",
        "nsn": None,
        "description": "105 mm high-explosive anti-tank round for the L7/M68 gun.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "120 mm APFSDS DM63",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "8000.00",
        "nsn": None,
        "description": "German 120 mm smoothbore kinetic-energy round.",
        "substitutes": ["120 mm APFSDS M829A1"],
        "consumes": [],
    },
    {
        "name": "120 mm HEAT-MP DM12",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "3000.00",
        "nsn": None,
        "description": "German 120 mm smoothbore multi-purpose HEAT round.",
        "substitutes": ["120 mm HEAT M830A1"],
        "consumes": [],
    },
    {
        "name": "120 mm HE DM11",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "8000.00",
        "nsn": None,
        "description": "Programmable 120 mm smoothbore high-explosive round.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "120 mm APFSDS M829A1",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "6000.00",
        "nsn": None,
        "description": "US 120 mm smoothbore depleted-uranium kinetic-energy round.",
        "substitutes": ["120 mm APFSDS DM63"],
        "consumes": [],
    },
    {
        "name": "120 mm HEAT M830A1",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "3000.00",
        "nsn": None,
        "description": "US 120 mm smoothbore multi-purpose anti-tank round.",
        "substitutes": ["120 mm HEAT-MP DM12"],
        "consumes": [],
    },
    {
        "name": "120 mm APFSDS L27A1",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "8000.00",
        "nsn": None,
        "description": "British 120 mm rifled kinetic-energy round for Challenger 2 only.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "120 mm HESH L31A7",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "2500.00",
        "nsn": None,
        "description": "British 120 mm rifled high-explosive squash-head round.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "125 mm APFSDS 3BM42",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "3000.00",
        "nsn": None,
        "description": "Soviet-standard 125 mm kinetic-energy round for T-72 family tanks.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "125 mm HE-FRAG 3OF26",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "1500.00",
        "nsn": None,
        "description": "Soviet-standard 125 mm high-explosive fragmentation round.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "35 mm HEI-T round",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "150.00",
        "nsn": None,
        "description": "35 x 228 mm high-explosive incendiary tracer round (Gepard, Skynex).",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "35 mm AHEAD round",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "1500.00",
        "nsn": None,
        "description": "35 x 228 mm programmable air-burst round with tungsten sub-projectiles.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "40 mm 3P round",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "600.00",
        "nsn": None,
        "description": "Bofors 40 mm programmable pre-fragmented round for the CV9040.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "25 mm HEI-T M792",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "60.00",
        "nsn": None,
        "description": "25 x 137 mm high-explosive round for the M242 Bushmaster cannon.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "20 mm x 139 HEI-T round",
        "category": "ammunition",
        "unit": "round",
        "unit_value_eur": "40.00",
        "nsn": None,
        "description": "20 mm high-explosive round for the Rh 202 cannon of the Marder.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "BGM-71 TOW-2B missile",
        "category": "ammunition",
        "unit": "missile",
        "unit_value_eur": "90000.00",
        "nsn": None,
        "description": "Wire-guided top-attack anti-tank missile (Bradley, ground launchers).",
        "substitutes": [],
        "consumes": [],
    },
    # --- Armour --------------------------------------------------------------------------------
    {
        "name": "Leopard 1A5",
        "category": "armour",
        "unit": "vehicle",
        "unit_value_eur": "2500000.00",
        "nsn": None,
        "description": "Refurbished German 105 mm main battle tank.",
        "substitutes": [],
        "consumes": ["105 mm APFSDS DM33", "105 mm HEAT M456"],
    },
    {
        "name": "Leopard 2A4",
        "category": "armour",
        "unit": "vehicle",
        "unit_value_eur": "5000000.00",
        "nsn": None,
        "description": "German 120 mm main battle tank, 1980s configuration.",
        "substitutes": ["Leopard 2A6"],
        "consumes": ["120 mm APFSDS DM63", "120 mm HEAT-MP DM12"],
    },
    {
        "name": "Leopard 2A6",
        "category": "armour",
        "unit": "vehicle",
        "unit_value_eur": "9000000.00",
        "nsn": None,
        "description": "German main battle tank with the longer 120 mm L55 gun.",
        "substitutes": ["Leopard 2A4"],
        "consumes": ["120 mm APFSDS DM63", "120 mm HEAT-MP DM12", "120 mm HE DM11"],
    },
    {
        "name": "Challenger 2",
        "category": "armour",
        "unit": "vehicle",
        "unit_value_eur": "5500000.00",
        "nsn": None,
        "description": "British main battle tank with a rifled 120 mm gun.",
        "substitutes": [],
        "consumes": ["120 mm APFSDS L27A1", "120 mm HESH L31A7"],
    },
    # Australia valued its 49 used M1A1 at ~AUD 245 m (2024); US new-build cost is far higher.
    {
        "name": "M1A1 Abrams",
        "category": "armour",
        "unit": "vehicle",
        "unit_value_eur": "6000000.00",
        "nsn": None,
        "description": "US 120 mm main battle tank.",
        "substitutes": ["Leopard 2A4"],
        "consumes": ["120 mm APFSDS M829A1", "120 mm HEAT M830A1"],
    },
    {
        "name": "PT-91 Twardy",
        "category": "armour",
        "unit": "vehicle",
        "unit_value_eur": "2500000.00",
        "nsn": None,
        "description": "Polish modernised T-72 main battle tank.",
        "substitutes": ["T-72M1"],
        "consumes": ["125 mm APFSDS 3BM42", "125 mm HE-FRAG 3OF26"],
    },
    {
        "name": "T-72M1",
        "category": "armour",
        "unit": "vehicle",
        "unit_value_eur": "1500000.00",
        "nsn": None,
        "description": "Export T-72 main battle tank from Polish and Czech stocks.",
        "substitutes": ["PT-91 Twardy", "T-72EA Avenger"],
        "consumes": ["125 mm APFSDS 3BM42", "125 mm HE-FRAG 3OF26"],
    },
    # 90 T-72s refurbished by Excalibur Army, funded by the USA and the Netherlands (2022).
    {
        "name": "T-72EA Avenger",
        "category": "armour",
        "unit": "vehicle",
        "unit_value_eur": "2500000.00",
        "nsn": None,
        "description": "T-72 refurbished and upgraded by Excalibur Army (Czechia).",
        "substitutes": ["T-72M1", "PT-91 Twardy"],
        "consumes": ["125 mm APFSDS 3BM42", "125 mm HE-FRAG 3OF26"],
    },
    # --- Infantry fighting vehicles and APCs ---------------------------------------------------
    {
        "name": "CV9040C",
        "category": "ifv",
        "unit": "vehicle",
        "unit_value_eur": "5000000.00",
        "nsn": None,
        "description": "Swedish CV90 infantry fighting vehicle with 40 mm Bofors cannon.",
        "substitutes": ["M2A2 Bradley ODS", "Marder 1A3"],
        "consumes": ["40 mm 3P round"],
    },
    {
        "name": "Marder 1A3",
        "category": "ifv",
        "unit": "vehicle",
        "unit_value_eur": "1500000.00",
        "nsn": None,
        "description": "German tracked infantry fighting vehicle with 20 mm cannon.",
        "substitutes": ["M2A2 Bradley ODS"],
        "consumes": ["20 mm x 139 HEI-T round"],
    },
    {
        "name": "M2A2 Bradley ODS",
        "category": "ifv",
        "unit": "vehicle",
        "unit_value_eur": "3500000.00",
        "nsn": None,
        "description": "US tracked infantry fighting vehicle with 25 mm cannon and TOW.",
        "substitutes": ["Marder 1A3", "CV9040C"],
        "consumes": ["25 mm HEI-T M792", "BGM-71 TOW-2B missile"],
    },
    {
        "name": "M1126 Stryker ICV",
        "category": "ifv",
        "unit": "vehicle",
        "unit_value_eur": "4000000.00",
        "nsn": None,
        "description": "US 8x8 wheeled infantry carrier vehicle.",
        "substitutes": ["KTO Rosomak"],
        "consumes": ["12.7 mm x 99 M33 ball"],
    },
    {
        "name": "KTO Rosomak",
        "category": "ifv",
        "unit": "vehicle",
        "unit_value_eur": "3000000.00",
        "nsn": None,
        "description": "Polish licence-built Patria AMV 8x8 armoured vehicle.",
        "substitutes": ["M1126 Stryker ICV"],
        "consumes": [],
    },
    {
        "name": "M113A3",
        "category": "ifv",
        "unit": "vehicle",
        "unit_value_eur": "500000.00",
        "nsn": None,
        "description": "US tracked armoured personnel carrier.",
        "substitutes": [],
        "consumes": ["12.7 mm x 99 M33 ball"],
    },
    {
        "name": "AMX-10 RC",
        "category": "ifv",
        "unit": "vehicle",
        "unit_value_eur": "1000000.00",
        "nsn": None,
        "description": "French 6x6 armoured reconnaissance vehicle with 105 mm gun.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "Bushmaster PMV",
        "category": "ifv",
        "unit": "vehicle",
        "unit_value_eur": "1000000.00",
        "nsn": None,
        "description": "Australian 4x4 protected mobility vehicle.",
        "substitutes": ["MaxxPro MRAP"],
        "consumes": [],
    },
    {
        "name": "MaxxPro MRAP",
        "category": "ifv",
        "unit": "vehicle",
        "unit_value_eur": "600000.00",
        "nsn": None,
        "description": "US mine-resistant ambush-protected vehicle.",
        "substitutes": ["Bushmaster PMV"],
        "consumes": [],
    },
    # --- MLRS ----------------------------------------------------------------------------------
    {
        "name": "M142 HIMARS",
        "category": "mlrs",
        "unit": "launcher",
        "unit_value_eur": "5000000.00",
        "nsn": None,
        "description": "US wheeled launcher carrying one GMLRS pod or one ATACMS.",
        "substitutes": ["M270B1 MLRS", "MARS II"],
        "consumes": ["GMLRS M31 rocket pod", "ATACMS M57"],
    },
    {
        "name": "M270B1 MLRS",
        "category": "mlrs",
        "unit": "launcher",
        "unit_value_eur": "5000000.00",
        "nsn": None,
        "description": "British-upgraded tracked M270 launcher carrying two pods.",
        "substitutes": ["M142 HIMARS", "MARS II"],
        "consumes": ["GMLRS M31 rocket pod", "ATACMS M57"],
    },
    {
        "name": "MARS II",
        "category": "mlrs",
        "unit": "launcher",
        "unit_value_eur": "5000000.00",
        "nsn": None,
        "description": "German-upgraded tracked M270 launcher.",
        "substitutes": ["M270B1 MLRS", "M142 HIMARS"],
        "consumes": ["GMLRS M31 rocket pod"],
    },
    {
        "name": "RM-70 Vampire",
        "category": "mlrs",
        "unit": "launcher",
        "unit_value_eur": "1500000.00",
        "nsn": None,
        "description": "Czech 40-tube 122 mm rocket launcher on a Tatra truck.",
        "substitutes": ["BM-21 Grad"],
        "consumes": ["122 mm rocket 9M22U"],
    },
    {
        "name": "BM-21 Grad",
        "category": "mlrs",
        "unit": "launcher",
        "unit_value_eur": "500000.00",
        "nsn": None,
        "description": "Soviet-standard 40-tube 122 mm rocket launcher.",
        "substitutes": ["RM-70 Vampire"],
        "consumes": ["122 mm rocket 9M22U"],
    },
    # GMLRS: ~USD 160-170k per rocket, six rockets per pod.
    {
        "name": "GMLRS M31 rocket pod",
        "category": "mlrs",
        "unit": "pod",
        "unit_value_eur": "900000.00",
        "nsn": None,
        "description": "Pod of six GPS-guided 227 mm unitary rockets.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "ATACMS M57",
        "category": "mlrs",
        "unit": "missile",
        "unit_value_eur": "1400000.00",
        "nsn": None,
        "description": "Army Tactical Missile System, unitary-warhead variant.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "122 mm rocket 9M22U",
        "category": "mlrs",
        "unit": "rocket",
        "unit_value_eur": "1500.00",
        "nsn": None,
        "description": "Unguided 122 mm high-explosive rocket for Grad-type launchers.",
        "substitutes": [],
        "consumes": [],
    },
    # --- Engineering ---------------------------------------------------------------------------
    {
        "name": "M58 MICLIC",
        "category": "engineering",
        "unit": "each",
        "unit_value_eur": "100000.00",
        "nsn": None,
        "description": "Rocket-projected mine-clearing line charge on a trailer.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "Biber bridge layer",
        "category": "engineering",
        "unit": "vehicle",
        "unit_value_eur": "2000000.00",
        "nsn": None,
        "description": "Leopard 1-based armoured vehicle-launched bridge (22 m span).",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "Wisent 1 mine-clearing vehicle",
        "category": "engineering",
        "unit": "vehicle",
        "unit_value_eur": "5000000.00",
        "nsn": None,
        "description": "Leopard 1-based armoured mine-clearing and engineer vehicle (FFG).",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "Bergepanzer 3 Büffel",
        "category": "engineering",
        "unit": "vehicle",
        "unit_value_eur": "6000000.00",
        "nsn": None,
        "description": "Leopard 2-based armoured recovery vehicle.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "DOK-ING MV-4 demining machine",
        "category": "engineering",
        "unit": "each",
        "unit_value_eur": "700000.00",
        "nsn": None,
        "description": "Croatian remote-controlled light mine-clearing flail.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "Handheld mine detector",
        "category": "engineering",
        "unit": "each",
        "unit_value_eur": "8000.00",
        "nsn": None,
        "description": "Metal and ground-penetrating-radar detector for deminers.",
        "substitutes": [],
        "consumes": [],
    },
    # --- Medical -------------------------------------------------------------------------------
    {
        "name": "Individual first aid kit (IFAK)",
        "category": "medical",
        "unit": "kit",
        "unit_value_eur": "100.00",
        "nsn": None,
        "description": "Personal trauma kit: tourniquet, haemostatic gauze, bandage, airway.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "Combat Application Tourniquet (C-A-T)",
        "category": "medical",
        "unit": "each",
        "unit_value_eur": "30.00",
        "nsn": "6515-01-521-7976",
        "description": "One-handed windlass tourniquet for limb haemorrhage.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "Haemostatic gauze (QuikClot Combat Gauze)",
        "category": "medical",
        "unit": "each",
        "unit_value_eur": "40.00",
        "nsn": None,
        "description": "Kaolin-impregnated gauze for wound packing.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "Role 2 field hospital module",
        "category": "medical",
        "unit": "system",
        "unit_value_eur": "3000000.00",
        "nsn": None,
        "description": "Containerised field hospital with surgery and intensive-care capacity.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "Field ambulance (4x4)",
        "category": "medical",
        "unit": "vehicle",
        "unit_value_eur": "150000.00",
        "nsn": None,
        "description": "Off-road ambulance for casualty evacuation.",
        "substitutes": [],
        "consumes": [],
    },
    # --- Drones and counter-drone --------------------------------------------------------------
    {
        "name": "Switchblade 300",
        "category": "drones",
        "unit": "each",
        "unit_value_eur": "55000.00",
        "nsn": None,
        "description": "Tube-launched anti-personnel loitering munition.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "Switchblade 600",
        "category": "drones",
        "unit": "each",
        "unit_value_eur": "110000.00",
        "nsn": None,
        "description": "Tube-launched anti-armour loitering munition.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "RQ-20 Puma",
        "category": "drones",
        "unit": "system",
        "unit_value_eur": "400000.00",
        "nsn": None,
        "description": "Hand-launched reconnaissance UAS system (several air vehicles).",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "ScanEagle",
        "category": "drones",
        "unit": "system",
        "unit_value_eur": "3000000.00",
        "nsn": None,
        "description": "Catapult-launched long-endurance reconnaissance UAS system.",
        "substitutes": [],
        "consumes": [],
    },
    # Lithuanian crowdfunding raised ~EUR 5 m for one TB2 in 2022.
    {
        "name": "Bayraktar TB2",
        "category": "drones",
        "unit": "aircraft",
        "unit_value_eur": "5000000.00",
        "nsn": None,
        "description": "Turkish medium-altitude armed reconnaissance UAV.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "Vector reconnaissance UAS",
        "category": "drones",
        "unit": "system",
        "unit_value_eur": "180000.00",
        "nsn": None,
        "description": "German (Quantum-Systems) VTOL fixed-wing reconnaissance drone.",
        "substitutes": ["RQ-20 Puma"],
        "consumes": [],
    },
    {
        "name": "FPV strike drone (7-inch)",
        "category": "drones",
        "unit": "each",
        "unit_value_eur": "400.00",
        "nsn": None,
        "description": "First-person-view attack quadcopter.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "DJI Mavic 3T",
        "category": "drones",
        "unit": "each",
        "unit_value_eur": "6000.00",
        "nsn": None,
        "description": "Commercial quadcopter with thermal camera used for spotting.",
        "substitutes": [],
        "consumes": [],
    },
    # A DoD contract for 14 VAMPIRE systems was reported at ~USD 40 m (2023).
    {
        "name": "VAMPIRE counter-UAS system",
        "category": "drones",
        "unit": "system",
        "unit_value_eur": "2600000.00",
        "nsn": None,
        "description": "Vehicle-mounted rocket launcher kit (APKWS) against drones.",
        "substitutes": [],
        "consumes": [],
    },
    # --- Vehicles ------------------------------------------------------------------------------
    {
        "name": "MAN HX 8x8 truck",
        "category": "vehicles",
        "unit": "vehicle",
        "unit_value_eur": "300000.00",
        "nsn": None,
        "description": "Rheinmetall MAN military cargo truck.",
        "substitutes": ["Tatra T815 8x8 truck"],
        "consumes": [],
    },
    {
        "name": "Tatra T815 8x8 truck",
        "category": "vehicles",
        "unit": "vehicle",
        "unit_value_eur": "200000.00",
        "nsn": None,
        "description": "Czech heavy off-road military truck.",
        "substitutes": ["MAN HX 8x8 truck"],
        "consumes": [],
    },
    {
        "name": "M1083 FMTV truck",
        "category": "vehicles",
        "unit": "vehicle",
        "unit_value_eur": "250000.00",
        "nsn": None,
        "description": "US 6x6 medium tactical cargo truck.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "HMMWV M1151",
        "category": "vehicles",
        "unit": "vehicle",
        "unit_value_eur": "200000.00",
        "nsn": None,
        "description": "US up-armoured light utility vehicle.",
        "substitutes": [],
        "consumes": [],
    },
    # --- Small arms, anti-tank weapons and ammunition ------------------------------------------
    {
        "name": "5.56 mm x 45 M855 ball",
        "category": "small_arms",
        "unit": "round",
        "unit_value_eur": "0.50",
        "nsn": None,
        "description": "NATO 5.56 mm rifle cartridge.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "7.62 mm x 51 M80 ball",
        "category": "small_arms",
        "unit": "round",
        "unit_value_eur": "1.00",
        "nsn": None,
        "description": "NATO 7.62 mm rifle and machine-gun cartridge.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "12.7 mm x 99 M33 ball",
        "category": "small_arms",
        "unit": "round",
        "unit_value_eur": "4.00",
        "nsn": None,
        "description": "NATO .50 calibre heavy machine-gun cartridge.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "M2 Browning machine gun",
        "category": "small_arms",
        "unit": "each",
        "unit_value_eur": "14000.00",
        "nsn": None,
        "description": "12.7 mm heavy machine gun.",
        "substitutes": [],
        "consumes": ["12.7 mm x 99 M33 ball"],
    },
    {
        "name": "FN MAG machine gun",
        "category": "small_arms",
        "unit": "each",
        "unit_value_eur": "9000.00",
        "nsn": None,
        "description": "7.62 mm general-purpose machine gun.",
        "substitutes": [],
        "consumes": ["7.62 mm x 51 M80 ball"],
    },
    {
        "name": "FGM-148 Javelin missile",
        "category": "small_arms",
        "unit": "missile",
        "unit_value_eur": "180000.00",
        "nsn": None,
        "description": "Fire-and-forget man-portable anti-tank missile.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "NLAW",
        "category": "small_arms",
        "unit": "each",
        "unit_value_eur": "37000.00",
        "nsn": None,
        "description": "Disposable short-range anti-tank guided weapon.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "AT4",
        "category": "small_arms",
        "unit": "each",
        "unit_value_eur": "1800.00",
        "nsn": None,
        "description": "Disposable 84 mm unguided anti-armour weapon.",
        "substitutes": ["Panzerfaust 3"],
        "consumes": [],
    },
    {
        "name": "Panzerfaust 3",
        "category": "small_arms",
        "unit": "each",
        "unit_value_eur": "8000.00",
        "nsn": None,
        "description": "German 110 mm shoulder-fired anti-tank weapon.",
        "substitutes": ["AT4"],
        "consumes": [],
    },
    # --- Communications ------------------------------------------------------------------------
    {
        "name": "Starlink kit",
        "category": "communications",
        "unit": "kit",
        "unit_value_eur": "600.00",
        "nsn": None,
        "description": "Satellite internet terminal, router and power supply.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "AN/PRC-152A handheld radio",
        "category": "communications",
        "unit": "each",
        "unit_value_eur": "15000.00",
        "nsn": None,
        "description": "L3Harris wideband handheld tactical radio.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "AN/PRC-117G manpack radio",
        "category": "communications",
        "unit": "each",
        "unit_value_eur": "35000.00",
        "nsn": None,
        "description": "L3Harris wideband manpack radio with satellite capability.",
        "substitutes": [],
        "consumes": [],
    },
    # --- Maritime ------------------------------------------------------------------------------
    {
        "name": "Harpoon coastal defence launcher",
        "category": "maritime",
        "unit": "launcher",
        "unit_value_eur": "10000000.00",
        "nsn": None,
        "description": "Truck-mounted launcher for land-based Harpoon anti-ship missiles.",
        "substitutes": [],
        "consumes": ["RGM-84 Harpoon missile"],
    },
    {
        "name": "RGM-84 Harpoon missile",
        "category": "maritime",
        "unit": "missile",
        "unit_value_eur": "1400000.00",
        "nsn": None,
        "description": "Sea-skimming anti-ship cruise missile.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "Mark VI patrol boat",
        "category": "maritime",
        "unit": "each",
        "unit_value_eur": "12000000.00",
        "nsn": None,
        "description": "US 85-foot armed coastal patrol boat.",
        "substitutes": [],
        "consumes": ["12.7 mm x 99 M33 ball"],
    },
    {
        "name": "Sandown-class minehunter",
        "category": "maritime",
        "unit": "each",
        "unit_value_eur": "30000000.00",
        "nsn": None,
        "description": "Ex-Royal Navy glass-fibre mine countermeasures vessel.",
        "substitutes": [],
        "consumes": [],
    },
    {
        "name": "CB90 fast assault craft",
        "category": "maritime",
        "unit": "each",
        "unit_value_eur": "2500000.00",
        "nsn": None,
        "description": "Swedish fast combat boat for riverine and coastal operations.",
        "substitutes": [],
        "consumes": ["12.7 mm x 99 M33 ball"],
    },
]

# ---------------------------------------------------------------------------------------------
# 7. Capability packages: what one unit of capability is made of (item, quantity).
#    Quantities are illustrative planning figures (initial load plus one resupply for ammunition).
# ---------------------------------------------------------------------------------------------

CAPABILITIES: list[CapabilityData] = [
    {
        "name": "Patriot air-defence battery",
        "coalition": "Integrated Air and Missile Defence Capability Coalition",
        "description": "Radar, control station, six launchers and an initial interceptor load.",
        "components": [
            ("Patriot radar AN/MPQ-65", 1),
            ("Patriot engagement control station AN/MSQ-132", 1),
            ("Patriot launcher M903", 6),
            ("PAC-3 MSE interceptor", 36),
            ("PAC-2 GEM-T interceptor", 24),
        ],
    },
    {
        "name": "IRIS-T SLM fire unit with missiles",
        "coalition": "Integrated Air and Missile Defence Capability Coalition",
        "description": "One IRIS-T SLM fire unit with three full launcher loads.",
        "components": [("IRIS-T SLM fire unit", 1), ("IRIS-T SL missile", 24)],
    },
    {
        "name": "NASAMS fire unit with missiles",
        "coalition": "Integrated Air and Missile Defence Capability Coalition",
        "description": "One NASAMS fire unit with AMRAAM and AIM-9X missiles.",
        "components": [("NASAMS fire unit", 1), ("AIM-120 AMRAAM", 18), ("AIM-9X Sidewinder", 6)],
    },
    {
        "name": "Gepard air-defence platoon",
        "coalition": "Integrated Air and Missile Defence Capability Coalition",
        "description": "Three Gepard guns with about three full ammunition loads each.",
        "components": [("Gepard SPAAG", 3), ("35 mm HEI-T round", 6000)],
    },
    {
        "name": "F-16 squadron air-to-air load-out",
        "coalition": "Air Force Capability Coalition",
        "description": "Twelve F-16AM with four AMRAAM and four Sidewinder missiles per aircraft.",
        "components": [
            ("F-16AM Fighting Falcon", 12),
            ("AIM-120 AMRAAM", 48),
            ("AIM-9X Sidewinder", 48),
        ],
    },
    {
        "name": "155 mm self-propelled artillery battery (PzH 2000)",
        "coalition": "Artillery Capability Coalition",
        "description": "Six PzH 2000 with conventional and guided 155 mm rounds and trucks.",
        "components": [
            ("PzH 2000", 6),
            ("155 mm HE DM121", 1200),
            ("155 mm HE M795", 1200),
            ("155 mm Excalibur M982", 24),
            ("MAN HX 8x8 truck", 4),
        ],
    },
    {
        "name": "155 mm wheeled artillery battery (CAESAR)",
        "coalition": "Artillery Capability Coalition",
        "description": "Six CAESAR howitzers with 155 mm ammunition and supply trucks.",
        "components": [
            ("CAESAR 155 mm self-propelled howitzer", 6),
            ("155 mm HE LU211", 1800),
            ("Tatra T815 8x8 truck", 4),
        ],
    },
    {
        "name": "HIMARS battery",
        "coalition": "Artillery Capability Coalition",
        "description": "Six HIMARS launchers with GMLRS pods and a small ATACMS allocation.",
        "components": [
            ("M142 HIMARS", 6),
            ("GMLRS M31 rocket pod", 36),
            ("ATACMS M57", 4),
            ("M1083 FMTV truck", 6),
        ],
    },
    {
        "name": "Leopard 2 tank company",
        "coalition": "Armoured Capability Coalition",
        "description": "Fourteen Leopard 2A6 with 120 mm ammunition and a recovery vehicle.",
        "components": [
            ("Leopard 2A6", 14),
            ("120 mm APFSDS DM63", 420),
            ("120 mm HEAT-MP DM12", 140),
            ("120 mm HE DM11", 70),
            ("Bergepanzer 3 Büffel", 1),
        ],
    },
    {
        "name": "Mechanised infantry company (CV90)",
        "coalition": "Armoured Capability Coalition",
        "description": "Fourteen CV9040C infantry fighting vehicles with 40 mm ammunition.",
        "components": [
            ("CV9040C", 14),
            ("40 mm 3P round", 3000),
            ("Individual first aid kit (IFAK)", 120),
        ],
    },
    {
        "name": "Demining team",
        "coalition": "Demining Capability Coalition",
        "description": "Mechanical and manual demining team with breaching charges and medics.",
        "components": [
            ("DOK-ING MV-4 demining machine", 1),
            ("Handheld mine detector", 8),
            ("M58 MICLIC", 2),
            ("Individual first aid kit (IFAK)", 12),
            ("Field ambulance (4x4)", 1),
        ],
    },
    {
        "name": "Drone strike company",
        "coalition": "Drone Capability Coalition",
        "description": "FPV and loitering-munition company with reconnaissance drones.",
        "components": [
            ("FPV strike drone (7-inch)", 600),
            ("DJI Mavic 3T", 20),
            ("Switchblade 300", 30),
            ("Switchblade 600", 10),
            ("Vector reconnaissance UAS", 2),
            ("Starlink kit", 10),
        ],
    },
    {
        "name": "Brigade tactical communications package",
        "coalition": "IT Capability Coalition",
        "description": "Satellite terminals and tactical radios for one brigade.",
        "components": [
            ("Starlink kit", 100),
            ("AN/PRC-152A handheld radio", 200),
            ("AN/PRC-117G manpack radio", 40),
        ],
    },
    {
        "name": "Coastal anti-ship missile battery (Harpoon)",
        "coalition": "Maritime Capability Coalition",
        "description": "Two Harpoon coastal launchers with two reloads.",
        "components": [("Harpoon coastal defence launcher", 2), ("RGM-84 Harpoon missile", 16)],
    },
]

# ---------------------------------------------------------------------------------------------
# 8. Exchange rates: (ISO 4217 currency, "YYYY-MM-01", EUR per one unit of the currency).
#    _ECB_QUOTES holds approximate ECB euro reference rates (units of currency per EUR) for the
#    first business day of each month, January 2024 .. December 2025. Later months repeat the
#    last value. EUR per unit = 1 / quote, rounded to 6 decimals.
# ---------------------------------------------------------------------------------------------

# fmt: off
_ECB_QUOTES: dict[str, tuple[str, ...]] = {
    "USD": (
        "1.0956", "1.0814", "1.0830", "1.0749", "1.0718", "1.0883",
        "1.0745", "1.0800", "1.1066", "1.1119", "1.0881", "1.0500",
        "1.0321", "1.0253", "1.0465", "1.0807", "1.1316", "1.1413",
        "1.1787", "1.1423", "1.1696", "1.1741", "1.1535", "1.1600",
    ),
    "GBP": (
        "0.8680", "0.8540", "0.8567", "0.8555", "0.8555", "0.8512",
        "0.8474", "0.8444", "0.8420", "0.8340", "0.8389", "0.8289",
        "0.8296", "0.8362", "0.8275", "0.8363", "0.8500", "0.8420",
        "0.8585", "0.8662", "0.8663", "0.8730", "0.8775", "0.8780",
    ),
    "PLN": (
        "4.3480", "4.3470", "4.3123", "4.2953", "4.3260", "4.3000",
        "4.3178", "4.2825", "4.2838", "4.2792", "4.3478", "4.2843",
        "4.2700", "4.2138", "4.1680", "4.1915", "4.2640", "4.2685",
        "4.2398", "4.2740", "4.2630", "4.2630", "4.2510", "4.2300",
    ),
    "NOK": (
        "11.2405", "11.3850", "11.4420", "11.6675", "11.7160", "11.4100",
        "11.4425", "11.8340", "11.8180", "11.7935", "11.9685", "11.7310",
        "11.7600", "11.7050", "11.6500", "11.3700", "11.7300", "11.5500",
        "11.9400", "11.7600", "11.7000", "11.7300", "11.7000", "11.7500",
    ),
    "SEK": (
        "11.1020", "11.2795", "11.1945", "11.5780", "11.7290", "11.3560",
        "11.3540", "11.5780", "11.3825", "11.3545", "11.6125", "11.5185",
        "11.4930", "11.4700", "11.1600", "10.8200", "10.9300", "10.9000",
        "11.1500", "11.1700", "10.9600", "11.0400", "11.0000", "10.9200",
    ),
    "DKK": (
        "7.4545", "7.4560", "7.4580", "7.4585", "7.4610", "7.4595",
        "7.4575", "7.4620", "7.4590", "7.4575", "7.4593", "7.4584",
        "7.4575", "7.4605", "7.4590", "7.4625", "7.4636", "7.4590",
        "7.4610", "7.4640", "7.4640", "7.4635", "7.4670", "7.4700",
    ),
    "CAD": (
        "1.4610", "1.4540", "1.4690", "1.4610", "1.4670", "1.4810",
        "1.4730", "1.4950", "1.4950", "1.5070", "1.5180", "1.4710",
        "1.4910", "1.4980", "1.5130", "1.5470", "1.5650", "1.5630",
        "1.6020", "1.5780", "1.6140", "1.6370", "1.6180", "1.6220",
    ),
    "CZK": (
        "24.720", "24.810", "25.320", "25.340", "25.130", "24.720",
        "25.010", "25.300", "25.080", "25.180", "25.350", "25.290",
        "25.160", "25.160", "25.020", "25.010", "24.920", "24.760",
        "24.640", "24.440", "24.380", "24.320", "24.300", "24.200",
    ),
    "CHF": (
        "0.9290", "0.9360", "0.9560", "0.9790", "0.9800", "0.9780",
        "0.9690", "0.9520", "0.9400", "0.9380", "0.9440", "0.9260",
        "0.9390", "0.9430", "0.9420", "0.9530", "0.9370", "0.9330",
        "0.9350", "0.9320", "0.9360", "0.9340", "0.9300", "0.9320",
    ),
    "JPY": (
        "155.72", "159.05", "162.48", "163.29", "165.93", "170.22",
        "173.09", "162.07", "161.99", "160.49", "165.62", "159.04",
        "163.19", "160.25", "156.80", "162.53", "163.59", "162.77",
        "169.66", "170.64", "172.41", "174.12", "177.85", "180.50",
    ),
    "AUD": (
        "1.6170", "1.6490", "1.6610", "1.6530", "1.6440", "1.6330",
        "1.6070", "1.6480", "1.6310", "1.6130", "1.6520", "1.6190",
        "1.6710", "1.6650", "1.6770", "1.7230", "1.7590", "1.7690",
        "1.7940", "1.7720", "1.7840", "1.7820", "1.7690", "1.7550",
    ),
    "RON": (
        "4.9730", "4.9755", "4.9710", "4.9690", "4.9745", "4.9770",
        "4.9750", "4.9735", "4.9760", "4.9741", "4.9752", "4.9750",
        "4.9712", "4.9770", "4.9760", "4.9770", "5.0500", "5.0380",
        "5.0720", "5.0710", "5.0750", "5.0890", "5.0830", "5.0900",
    ),
    "HUF": (
        "382.20", "388.40", "393.30", "394.98", "392.60", "393.40",
        "396.30", "395.10", "394.30", "400.83", "409.80", "412.70",
        "411.50", "405.80", "401.60", "410.10", "405.40", "403.40",
        "400.10", "395.50", "393.00", "391.20", "386.50", "384.50",
    ),
}
# fmt: on

EXCHANGE_RATE_FIRST_MONTH: tuple[int, int] = (2024, 1)
EXCHANGE_RATE_LAST_MONTH: tuple[int, int] = (2026, 10)


def _months(first: tuple[int, int], last: tuple[int, int]) -> list[str]:
    """ISO dates of the first of each month from ``first`` to ``last`` inclusive."""
    year, month = first
    out: list[str] = []
    while (year, month) <= last:
        out.append(f"{year:04d}-{month:02d}-01")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _build_exchange_rates() -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    months = _months(EXCHANGE_RATE_FIRST_MONTH, EXCHANGE_RATE_LAST_MONTH)
    for currency, quotes in _ECB_QUOTES.items():
        for index, month in enumerate(months):
            quote = Decimal(quotes[min(index, len(quotes) - 1)])
            eur = (Decimal(1) / quote).quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
            rows.append((currency, month, f"{eur:.6f}"))
    return rows


EXCHANGE_RATES: list[tuple[str, str, str]] = _build_exchange_rates()

# ---------------------------------------------------------------------------------------------
# 9. Demo users (fictional people; shared public demo password).
# ---------------------------------------------------------------------------------------------

DEMO_USERS: list[DemoUserData] = [
    {
        "username": "command",
        "password": DEMO_PASSWORD,
        "nation": "NSATU",
        "roles": ["coordinator", "approver", "editor"],
        "full_name": "Katrin Hoffmann",
        "time_zone": "Europe/Berlin",
    },
    {
        "username": "admin",
        "password": DEMO_PASSWORD,
        "nation": "NSATU",
        "roles": ["admin", "coordinator"],
        "full_name": "Convoy Administrator",
        "time_zone": "Europe/Berlin",
    },
    {
        "username": "deu",
        "password": DEMO_PASSWORD,
        "nation": "DEU",
        "roles": ["editor", "approver"],
        "full_name": "Jonas Weber",
        "time_zone": "Europe/Berlin",
    },
    {
        "username": "pol",
        "password": DEMO_PASSWORD,
        "nation": "POL",
        "roles": ["editor"],
        "full_name": "Agnieszka Nowak",
        "time_zone": "Europe/Warsaw",
    },
    {
        "username": "usa",
        "password": DEMO_PASSWORD,
        "nation": "USA",
        "roles": ["editor"],
        "full_name": "Michael Reyes",
        "time_zone": "America/New_York",
    },
    {
        "username": "gbr",
        "password": DEMO_PASSWORD,
        "nation": "GBR",
        "roles": ["editor"],
        "full_name": "Emily Clarke",
        "time_zone": "Europe/London",
    },
    {
        "username": "ukr",
        "password": DEMO_PASSWORD,
        "nation": "UKR",
        "roles": ["editor"],
        "full_name": "Olena Kovalenko",
        "time_zone": "Europe/Kyiv",
    },
    {
        "username": "viewer",
        "password": DEMO_PASSWORD,
        "nation": "NLD",
        "roles": ["viewer"],
        "full_name": "Sanne de Vries",
        "time_zone": "Europe/Amsterdam",
    },
]

# ---------------------------------------------------------------------------------------------
# Consistency check
# ---------------------------------------------------------------------------------------------

_ISO3 = re.compile(r"^[A-Z]{3}$")
_NSN = re.compile(r"^\d{4}-\d{2}-\d{3}-\d{4}$")
_MONEY = re.compile(r"^\d+\.\d{2}$")
_RATE = re.compile(r"^\d+\.\d{6}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-01$")
_TIME_ZONE = re.compile(r"^[A-Za-z]+(/[A-Za-z_+-]+)+$")
_REQUIRED_CATEGORIES: frozenset[str] = frozenset(
    {
        "air_defence",
        "artillery",
        "ammunition",
        "armour",
        "ifv",
        "mlrs",
        "engineering",
        "medical",
        "drones",
        "vehicles",
        "small_arms",
        "communications",
        "maritime",
    }
)


def _duplicates(label: str, values: Iterable[str]) -> list[str]:
    counts = Counter(values)
    return [f"duplicate {label}: {value!r}" for value, n in sorted(counts.items()) if n > 1]


def _positive_decimal(text: str) -> bool:
    try:
        return Decimal(text) > 0
    except InvalidOperation:
        return False


def _valid_time_zone(name: str) -> bool:
    """True if ``name`` is an IANA zone; falls back to a shape check without tz data."""
    if not available_timezones():
        return bool(_TIME_ZONE.match(name))
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def check() -> list[str]:
    """Return a list of consistency problems in this module's data (empty when all is well)."""
    problems: list[str] = []

    # Nations.
    nation_codes = {code for code, _, _ in NATIONS}
    problems += _duplicates("nation code", (code for code, _, _ in NATIONS))
    problems += _duplicates("nation name", (name for _, name, _ in NATIONS))
    for code, name, kind in NATIONS:
        if kind not in NATION_KINDS:
            problems.append(f"nation {code}: unknown kind {kind!r}")
        if kind != "command" and not _ISO3.match(code):
            problems.append(f"nation {code}: not an ISO 3166-1 alpha-3 code")
        if not name.strip():
            problems.append(f"nation {code}: empty name")
    allies = [code for code, _, kind in NATIONS if kind == "ally"]
    if len(allies) != 32:
        problems.append(f"expected 32 NATO Allies, found {len(allies)}")
    if [code for code, _, kind in NATIONS if kind == "partner"] != ["UKR"]:
        problems.append("the only partner must be UKR")
    if [code for code, _, kind in NATIONS if kind == "command"] != ["NSATU"]:
        problems.append("the only command pseudo-nation must be NSATU")

    # Categories.
    category_codes = {code for code, _ in CATEGORIES}
    problems += _duplicates("category code", (code for code, _ in CATEGORIES))
    if category_codes != _REQUIRED_CATEGORIES:
        problems.append(f"category codes differ from the required set: {sorted(category_codes)}")

    # Coalitions.
    coalition_names = {c["name"] for c in COALITIONS}
    problems += _duplicates("coalition name", (c["name"] for c in COALITIONS))
    problems += _duplicates("coalition area", (c["area"] for c in COALITIONS))
    for coalition in COALITIONS:
        label = f"coalition {coalition['name']!r}"
        if coalition["area"] not in COALITION_AREAS:
            problems.append(f"{label}: unknown area {coalition['area']!r}")
        if not coalition["leads"]:
            problems.append(f"{label}: no lead nation")
        problems += _duplicates(f"member of {label}", coalition["members"])
        for code in coalition["leads"] + coalition["members"]:
            if code not in nation_codes:
                problems.append(f"{label}: unknown nation {code!r}")
        for code in coalition["leads"]:
            if code not in coalition["members"]:
                problems.append(f"{label}: lead {code!r} is not a member")

    # Organisations.
    organisation_names = {o["name"] for o in ORGANISATIONS}
    problems += _duplicates("organisation name", (o["name"] for o in ORGANISATIONS))
    for org in ORGANISATIONS:
        if org["nation"] not in nation_codes:
            problems.append(f"organisation {org['name']!r}: unknown nation {org['nation']!r}")
        if org["kind"] not in ORGANISATION_KINDS:
            problems.append(f"organisation {org['name']!r}: unknown kind {org['kind']!r}")

    # Nodes.
    problems += _duplicates("node name", (n["name"] for n in NODES))
    for node in NODES:
        label = f"node {node['name']!r}"
        if node["kind"] not in NODE_KINDS:
            problems.append(f"{label}: unknown kind {node['kind']!r}")
        if node["nation"] not in nation_codes:
            problems.append(f"{label}: unknown nation {node['nation']!r}")
        if not -90.0 <= node["lat"] <= 90.0:
            problems.append(f"{label}: latitude out of range")
        if not -180.0 <= node["lon"] <= 180.0:
            problems.append(f"{label}: longitude out of range")
        low, high = NODE_CAPACITY_RANGES.get(node["kind"], (0, 0))
        if not low <= node["capacity"] <= high:
            problems.append(f"{label}: capacity {node['capacity']} outside {low}..{high}")
        org_name = node["organisation"]
        if org_name is not None and org_name not in organisation_names:
            problems.append(f"{label}: unknown organisation {org_name!r}")
        if node["kind"] == "destination" and node["nation"] != "UKR":
            problems.append(f"{label}: destinations must be in Ukraine")

    # Items.
    item_names = {i["name"] for i in ITEMS}
    problems += _duplicates("item name", (i["name"] for i in ITEMS))
    problems += _duplicates("item NSN", (i["nsn"] for i in ITEMS if i["nsn"] is not None))
    for item in ITEMS:
        label = f"item {item['name']!r}"
        if item["category"] not in category_codes:
            problems.append(f"{label}: unknown category {item['category']!r}")
        if not item["unit"].strip():
            problems.append(f"{label}: empty unit")
        if not item["description"].strip():
            problems.append(f"{label}: empty description")
        value = item["unit_value_eur"]
        if not _MONEY.match(value) or not _positive_decimal(value):
            problems.append(f"{label}: malformed unit value {value!r}")
        nsn = item["nsn"]
        if nsn is not None and (
            not _NSN.match(nsn) or int(nsn[:2]) < 10 or nsn.replace("-", "")[6:] == "0000000"
        ):
            problems.append(f"{label}: malformed NSN {nsn!r}")
        for relation, targets in (
            ("substitutes", item["substitutes"]),
            ("consumes", item["consumes"]),
        ):
            problems += _duplicates(f"{relation} entry of {label}", targets)
            for target in targets:
                if target == item["name"]:
                    problems.append(f"{label}: {relation} itself")
                elif target not in item_names:
                    problems.append(f"{label}: {relation} unknown item {target!r}")

    # Capabilities.
    problems += _duplicates("capability name", (c["name"] for c in CAPABILITIES))
    for capability in CAPABILITIES:
        label = f"capability {capability['name']!r}"
        if capability["coalition"] not in coalition_names:
            problems.append(f"{label}: unknown coalition {capability['coalition']!r}")
        if not capability["components"]:
            problems.append(f"{label}: no components")
        problems += _duplicates(f"component of {label}", (n for n, _ in capability["components"]))
        for item_name, quantity in capability["components"]:
            if item_name not in item_names:
                problems.append(f"{label}: unknown item {item_name!r}")
            if quantity <= 0:
                problems.append(f"{label}: non-positive quantity for {item_name!r}")

    # Exchange rates.
    months = _months(EXCHANGE_RATE_FIRST_MONTH, EXCHANGE_RATE_LAST_MONTH)
    currencies = set(_ECB_QUOTES)
    problems += _duplicates("exchange rate", (f"{cur} {month}" for cur, month, _ in EXCHANGE_RATES))
    for currency, quotes in _ECB_QUOTES.items():
        if not re.match(r"^[A-Z]{3}$", currency) or currency == "EUR":
            problems.append(f"exchange rate: bad currency code {currency!r}")
        if not quotes or not all(_positive_decimal(q) for q in quotes):
            problems.append(f"exchange rate: bad ECB quotes for {currency}")
    for currency, month, rate in EXCHANGE_RATES:
        if currency not in currencies:
            problems.append(f"exchange rate: unknown currency {currency!r}")
        if not _MONTH.match(month):
            problems.append(f"exchange rate {currency} {month!r}: malformed date")
        if not _RATE.match(rate) or not _positive_decimal(rate):
            problems.append(f"exchange rate {currency} {month}: malformed rate {rate!r}")
    if len(EXCHANGE_RATES) != len(currencies) * len(months):
        problems.append("exchange rates: not every currency has a rate for every month")

    # Demo users.
    problems += _duplicates("username", (u["username"] for u in DEMO_USERS))
    for user in DEMO_USERS:
        label = f"user {user['username']!r}"
        if user["nation"] not in nation_codes:
            problems.append(f"{label}: unknown nation {user['nation']!r}")
        if not user["roles"]:
            problems.append(f"{label}: no roles")
        for role in user["roles"]:
            if role not in ROLES:
                problems.append(f"{label}: unknown role {role!r}")
        if not _valid_time_zone(user["time_zone"]):
            problems.append(f"{label}: unknown time zone {user['time_zone']!r}")
        if not user["password"]:
            problems.append(f"{label}: empty password")

    return problems
