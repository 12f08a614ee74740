"""Who lives in a town made from a variant: the default town's people, in the variant's proportions, and
the phenomena the default town lacks (docs/synthetic-town.md, "Variants").

The default town is made by `population.TownBuilder` alone and never comes here, so that its bytes stay
the same. A variant town uses the same households, schools and places, then casts its own networks,
decoys, hubs and record traps. Ethnicity is never consulted: every role is given by age, sex, area, care
and chance, and adults from outside the households draw their ethnicity from the town's mix.
"""

from __future__ import annotations

from ..model import Person, Place, School, Town
from ..population import PERIOD_END, PERIOD_START, Progress, TownBuilder
from ..variants import HUB_KINDS, Variant
from . import children, networks, traps


class VariantBuilder(TownBuilder):
    def __init__(self, children: int, seed: int, progress: Progress | None, variant: Variant) -> None:
        super().__init__(children, seed, progress)
        self.v = variant

    def build(self) -> Town:
        v, total = self.v, self.n
        placed = round(total * v.placed_children)
        self.n = total - placed
        self.build_households()
        self.n = total
        children.placed_children(self, placed)
        twins = self.plant_twins(v.twins)
        for a, b in twins:
            a.traits += ("twin",)
            b.traits += ("twin",)
        namesakes = self.plant_namesakes(max(1, round(total * v.namesakes))) if v.namesakes else []
        for a, b in namesakes:
            a.traits += ("namesake",)
            b.traits += ("namesake",)
        namesakes += traps.street_namesakes(self)
        traps.fathers_and_sons(self)  # last of the traps that rename people, so the names stay shared
        schools = self.build_schools()
        places = self.build_places()
        if self.progress:
            self.progress("households", total, total)
        hubs = self.variant_hubs(places, schools)
        self.build_taxi_drivers()
        nets = networks.build(self, places)
        networks.flag(self, nets)
        namesakes += self.adult_namesakes(nets)
        town = Town(
            children=self.children,
            adults=self.adults,
            households=self.households,
            schools=schools,
            places=places,
            networks=nets,
            hubs=hubs,
            twins=twins,
            namesakes=namesakes,
            period_start=PERIOD_START,
            period_end=PERIOD_END,
            variant=v,
        )
        children.decoys(self, town)
        children.carers(self, town)
        for adult in self.adults:
            if adult.role == "ordinary" and not adult.pnc and self.rng.random() < 0.05:
                adult.pnc = self.pnc()
        if self.progress:
            self.progress("networks", len(nets), len(nets))
        return town

    def variant_hubs(self, places: list[Place], schools: list[School]) -> list[Person]:
        """Every kind the variant asks for at least once, the rest in its proportions."""
        rates = {k: r for k, r in self.v.hubs.items() if r > 0}
        kinds = [k for k in HUB_KINDS if k in rates]
        if not kinds:
            return []
        count = max(len(kinds), round(self.n * sum(rates.values()) / 1000))
        kinds += self.rng.choices(kinds, [rates[k] for k in kinds], k=count - len(kinds))
        by_cat: dict[str, list[Place]] = {}
        for place in places:
            by_cat.setdefault(place.category, []).append(place)
        return [self.hub(kind, by_cat, schools) for kind in kinds]

    def hub(self, kind: str, by_cat: dict[str, list[Place]], schools: list[School]) -> Person:
        if kind not in ("foster_carer", "takeaway_owner"):
            hub = super().hub(kind, by_cat, schools)
        else:
            rng = self.rng
            sex = "F" if kind == "foster_carer" and rng.random() < 0.8 else "M"
            hub = self.free_adult("benign_hub", sex, 28, 60)
            hub.hub_type = kind
            if kind == "takeaway_owner":
                hub.hub_place = rng.choice(by_cat["takeaway"])
            else:  # the carer's own home, where the children placed with them live
                home = hub.address
                text = home.line(short=True, with_locality=False)
                hub.hub_place = Place(text, text, "home", home.postcode, home.locality, False)
        hub.label = kind
        return hub
