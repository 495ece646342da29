"""How the OpenAPI document describes the schemas that apispec cannot read from fields alone."""
from __future__ import annotations

from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from apispec.ext.marshmallow.common import resolve_schema_cls

from hep.schemas.fields import MappingOut


class _Converter(OpenAPIConverter):
    def schema2jsonschema(self, schema):
        cls = resolve_schema_cls(schema)
        if isinstance(cls, type) and issubclass(cls, MappingOut):
            prop = self.field2property(cls.as_field())
            if cls.__doc__:
                prop["description"] = " ".join(cls.__doc__.split())
            return prop
        return super().schema2jsonschema(schema)


class SchemaPlugin(MarshmallowPlugin):
    """apispec's marshmallow plugin, knowing :class:`~hep.schemas.fields.MappingOut`."""

    Converter = _Converter
