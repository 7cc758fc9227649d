package typedapi

import "go/types"

// Retype returns t with every deprecated work-queue type in it replaced by
// its twin instantiated at item, and every Typed*[any] instance of the
// package re-instantiated at item: the type an old value has once its
// code is migrated to T = item. Pointers, slices, arrays, maps, channels
// and signatures are rewritten inside; other types are returned as is.
func Retype(t types.Type, item types.Type) types.Type {
	switch t := t.(type) {
	case *types.Alias:
		if twin := twinOf(t.Obj(), Alias); twin != nil {
			return instantiate(twin, item)
		}
		return Retype(types.Unalias(t), item)
	case *types.Named:
		return retypeNamed(t, item)
	case *types.Pointer:
		return types.NewPointer(Retype(t.Elem(), item))
	case *types.Slice:
		return types.NewSlice(Retype(t.Elem(), item))
	case *types.Array:
		return types.NewArray(Retype(t.Elem(), item), t.Len())
	case *types.Map:
		return types.NewMap(Retype(t.Key(), item), Retype(t.Elem(), item))
	case *types.Chan:
		return types.NewChan(t.Dir(), Retype(t.Elem(), item))
	case *types.Signature:
		return types.NewSignatureType(nil, nil, nil,
			retypeTuple(t.Params(), item), retypeTuple(t.Results(), item), t.Variadic())
	}
	return t
}

func retypeNamed(t *types.Named, item types.Type) types.Type {
	if twin := twinOf(t.Obj(), Defined); twin != nil {
		return instantiate(twin, item)
	}
	args := t.TypeArgs()
	if !isWorkqueue(t.Obj().Pkg()) || args.Len() != 1 || !types.Identical(args.At(0), anyType) {
		return t
	}
	return instantiate(t.Origin().Obj(), item)
}

func retypeTuple(tup *types.Tuple, item types.Type) *types.Tuple {
	vars := make([]*types.Var, tup.Len())
	for i := range vars {
		v := tup.At(i)
		vars[i] = types.NewParam(v.Pos(), v.Pkg(), v.Name(), Retype(v.Type(), item))
	}
	return types.NewTuple(vars...)
}

var anyType = types.Universe.Lookup("any").Type()

// twinOf returns the twin type name of obj if obj is a deprecated type of
// the given kind.
func twinOf(obj *types.TypeName, kind Kind) *types.TypeName {
	e, ok := Lookup(obj)
	if !ok || e.Kind != kind {
		return nil
	}
	twin, _ := obj.Pkg().Scope().Lookup(e.Forms[0].Twin).(*types.TypeName)
	return twin
}

// instantiate returns the generic type named by twin at item, or twin's
// type itself if it cannot be instantiated there (a type the caller's
// check then reports as not identical).
func instantiate(twin *types.TypeName, item types.Type) types.Type {
	t, err := types.Instantiate(nil, twin.Type(), []types.Type{item}, true)
	if err != nil {
		return twin.Type()
	}
	return t
}
