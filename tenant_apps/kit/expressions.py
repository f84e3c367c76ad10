from django.db.models import BooleanField, Func


class AnyOf(Func):
    """`value = ANY(array)`"""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        value, array = self.get_source_expressions()
        value_sql, value_params = compiler.compile(value)
        array_sql, array_params = compiler.compile(array)
        return f"({value_sql} = ANY({array_sql}))", (*value_params, *array_params)
