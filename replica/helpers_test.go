package replica

import "reflect"

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

func reflectTypeOf(v any) reflect.Type { return reflect.TypeOf(v) }
