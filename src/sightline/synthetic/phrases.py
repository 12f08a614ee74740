"""What agencies write: the wordings an event's summary is drawn from, and assessment factor codes.

Order matters: the story draws from these by position, so a reordered list gives a different town.
"""

from __future__ import annotations

# Children in need assessment factors (DfE codes): family background, missing, and what hides exploitation.
BACKGROUND_FACTORS = ("3A", "3B", "16A", "2B", "1B", "4B", "17A", "18B", "5A", "6A", "7A", "14A")
MISSING_FACTORS = ("14A", "15A", "1A", "4A", "3A", "16A", "2A")
VICTIM_HIDDEN_FACTORS = ("10A", "14A", "1A", "15A", "4A", "3A", "16A", "2A")
FLAGGED_EXTRA_FACTORS = ("1A", "15A", "12A", "4A")

FAMILY_REFERRALS = (
    "Referral from school",
    "Referral from health visitor",
    "Referral from police",
    "Anonymous referral",
)
INJURIES = (
    "Fall from trampoline, wrist injury",
    "Asthma attack",
    "Head injury playing in the street",
    "Dog bite to hand",
    "Sprained ankle",
    "Fever and rash",
    "Fractured arm, fall from bike",
    "Abdominal pain",
    "Cut to foot, stood on glass",
    "Allergic reaction",
    "Burn from kettle",
    "Tonsillitis",
)
ROUTINE_SEXUAL_HEALTH = ("Contraception advice", "Routine screening", "Condoms issued")
YOUTH_TROUBLE = (
    "Youths causing annoyance",
    "Shoplifting",
    "Fight between school pupils",
    "Criminal damage to bus shelter",
    "Theft of pedal cycle",
    "Youths drinking",
)
RUNAWAY_ATTENDANCES = ("Alcohol intoxication", "Self-harm", "Injury after fall while drunk", "Anxiety")
RETURN_INTERVIEWS = (
    "Return interview completed; child would not say where they had been",
    "Return interview completed",
    "Return interview declined",
)
EXCLUSION_REASONS = (
    "persistent disruptive behaviour",
    "verbal abuse of staff",
    "physical assault on pupil",
    "smoking on site",
)
OUTREACH_AT_NIGHT = (
    "Seen with older males, evasive about where they had been",
    "Had new phone and clothes, would not say who bought them",
    "Appeared intoxicated; said they were waiting for a lift",
    "Seen getting into a car with adult males",
)
OUTREACH_BY_DAY = (
    "Chatted with detached youth work team",
    "Attended youth club session",
    "Given information on local activities",
    "Group of young people, no concerns",
)

# Victims.
VICTIM_REFERRERS = ("police", "school", "health", "parent", "youth service")
HIDDEN_ASSESSMENTS = (
    "Concerns about behaviour, staying out late, older friends",
    "Parent struggling with boundaries; child beyond parental control",
    "Low mood and self-harm; engaging with CAMHS",
    "Concerns about alcohol use; case closed, no further action",
)
VICTIM_SEXUAL_HEALTH = (
    "Emergency contraception",
    "STI screening",
    "Pregnancy test",
    "Emergency contraception; partner described as older",
)
VICTIM_ATTENDANCES = (
    "Alcohol intoxication, found in the town centre",
    "Intoxicated, brought in by ambulance from {place}",
    "Overdose of paracetamol",
    "Self-harm, cuts to forearms",
    "Facial bruising, says she fell",
    "Assault injury, will not say who",
    "Intoxicated and distressed",
)

# The men, as others report them. {name} is a street name, {car} "a car" or "a silver Vauxhall Astra",
# {where} empty or " at Star Kebab".
INTELLIGENCE = (
    "Information: {name} gives girls alcohol and lifts in {car}{where}",
    "Third party: girls seen with {name} and other males{where}, late at night",
    "Intelligence: {name} uses {car} to collect schoolgirls{where}",
)
COMPLAINTS_ABOUT_DRIVERS = (
    "Parent complains driver gives free lifts to teenage girls",
    "Driver seen with schoolgirls in the vehicle late at night",
    "Complaint: driver offered cigarettes and alcohol to a 14-year-old",
)
NEIGHBOURS_OF_THE_FLAT = (
    "Neighbour reports young girls visiting late at night",
    "Anti-social behaviour: cars coming and going, loud music",
    "Neighbour reports girls in school uniform entering the flat",
)

# Everyday business with adults.
TAXI_COMPLAINTS = ("Overcharging", "Rude to passenger", "Dangerous driving", "Refused a guide dog")
HOUSING_COMPLAINTS = (
    "Noise complaint from neighbour",
    "Rent arrears",
    "Repairs: damp in bedroom",
    "Garden untidy",
)
