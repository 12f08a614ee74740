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

# --- only in a town made from a variant ---------------------------------------------------------------------
# Intelligence on each model of group: {name}, {car} and {where} as in INTELLIGENCE, {phone} a number.
INTELLIGENCE_BY_MODEL = {
    "boyfriend": (
        "Information: {name} has a girlfriend of 14 and takes her to parties with his friends{where}",
        "Third party: {name} introduces young girls to older men{where}",
    ),
    "party_house": (
        "Information: parties most weekends{where}; girls under 16 given alcohol by {name} and others",
        "Third party: {name} collects girls in {car} and takes them to parties{where}",
    ),
    "taxi": (
        "Information: taxi driver known as {name} gives free lifts to schoolgirls in {car}",
        "Intelligence: girls hang around the takeaway{where}; {name} drives them about in {car}",
    ),
    "phone": (
        "Information: number {phone} texts schoolgirls and arranges to meet them",
        "Intelligence: {name} uses {phone} to contact girls and pass them to other men",
    ),
    "peer": (
        "Information: {name}, aged about 18, pressures younger girls into sex at parties{where}",
        "Third party: older youths including {name} film younger girls{where}",
    ),
    "county_lines": (
        "Intelligence: deal line {phone} run by {name}; local boys used to carry drugs",
        "Information: {name} recruits local boys to sell drugs out of town, using {car}",
    ),
}
FOUND_BY_MODEL = {
    "boyfriend": "Found with her boyfriend at {place}",
    "party_house": "Found at a party at {place} with older males, alcohol present",
    "taxi": "Found at {place}; a taxi was seen dropping her off",
    "phone": "Found at {place} after arranging to meet someone by phone",
    "peer": "Found at {place} with older youths",
    "county_lines": "Found at {place} with older males; cash and drugs recovered",
}
CRIMINAL_HIDDEN_FACTORS = ("14A", "10A", "2A", "1A", "4A")
CRIMINAL_ASSESSMENTS = (
    "Beyond parental control; missing for days, returns with new clothes and cash",
    "Excluded from school; associating with older youths; cannabis use",
)
CRIMINAL_ATTENDANCES = (
    "Stab wound to the thigh, would not say how it happened",
    "Assault injury, says he was jumped",
    "Cannabis intoxication",
    "Facial injuries, would not give an account",
)
PHONE_TRACES = (
    "Phone checked: calls and texts with an unknown adult number",
    "Says an older man gave her a phone; his number saved under a girl's name",
    "Messages arranging to be picked up late at night",
)
PARTY_COMPLAINTS = (
    "Neighbour reports parties with young girls at the house most weekends",
    "Complaint: loud music, men and teenage girls coming and going",
)

# Decoys: children in need of another kind, or of nothing at all.
PARTNER_SEXUAL_HEALTH = (
    "Contraception advice; partner same age",
    "Condoms issued; in a relationship with a boy in her year",
    "Chlamydia test; partner same age",
    "Contraception advice; attended with partner",
)
GROUP_TROUBLE = (
    "Youths causing annoyance in the park late at night",
    "Group of teenagers drinking at the war memorial",
    "Complaint of youths on bikes outside the shops",
    "Group of young people refused to leave the bus station",
)
GROUP_OUTREACH = (
    "Group of friends met in the park; some had been drinking",
    "Regular group at the youth club; no concerns",
    "Talked with a group of young people about staying safe at night",
)
PLACEMENT_MOVES = (
    "Placement ended at the carer's request; moved to new foster carers",
    "Emergency move after placement breakdown",
    "Moved to residential placement",
    "Planned move to long-term foster carers",
)
HOME_ABUSE = (
    ("18A", "Child protection referral: bruising to arms, disclosed being hit by a parent"),
    ("16A", "Child protection referral: neglect, home conditions very poor"),
    ("17A", "Child protection referral: emotional abuse, witnessed repeated violence"),
    ("19A", "Child protection referral: disclosed sexual abuse by a family member"),
)
HOME_ABUSE_POLICE = (
    "Allegation of assault on a child by a parent; parent arrested and released under investigation",
    "Child disclosed abuse at home to a teacher; joint investigation with social care",
)
