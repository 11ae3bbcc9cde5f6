package jsonschema

// compareArray is Confluent's ArraySchemaDiff: the all-items schema, the
// tuple items (judged by the content model when one side has more), the
// additional and unevaluated items, then the bounds.
func (c *diffCtx) compareArray(o, u *node) {
	c.enterPath("items")
	c.compare(o.allItems, u.allItems)
	c.leavePath()
	c.compareTuple(o, u)
	c.compareAdditionalItems(o, u)
	c.compareUnevaluated("unevaluatedItems", o.unevalItems, u.unevalItems,
		unevaluatedItemsAdded, unevaluatedItemsRemoved,
		unevaluatedItemsExtended, unevaluatedItemsNarrowed)
	c.compareBound("maxItems", o.maxItems, u.maxItems, maxItemsAdded, maxItemsRemoved, maxItemsIncreased, maxItemsDecreased)
	c.compareBound("minItems", o.minItems, u.minItems, minItemsAdded, minItemsRemoved, minItemsIncreased, minItemsDecreased)
	if o.uniqueItems != u.uniqueItems {
		if o.uniqueItems {
			c.addAt("uniqueItems", uniqueItemsRemoved)
		} else {
			c.addAt("uniqueItems", uniqueItemsAdded)
		}
	}
	c.compareBound("maxContains", o.maxContains, u.maxContains, maxContainsAdded, maxContainsRemoved, maxContainsIncreased, maxContainsDecreased)
	c.compareBound("minContains", o.minContains, u.minContains, minContainsAdded, minContainsRemoved, minContainsIncreased, minContainsDecreased)
}

func (c *diffCtx) compareTuple(o, u *node) {
	os, us := o.itemSchemas, u.itemSchemas
	shared := min(len(os), len(us))
	for i := 0; i < shared; i++ {
		c.enterPath("items/" + itoa(i))
		c.compare(os[i], us[i])
		c.leavePath()
	}
	for i := shared; i < len(os); i++ {
		c.enterPath("items/" + itoa(i))
		c.itemRemoved(os[i], u)
		c.leavePath()
	}
	for i := shared; i < len(us); i++ {
		c.enterPath("items/" + itoa(i))
		c.itemAdded(us[i], o)
		c.leavePath()
	}
}

func (c *diffCtx) itemRemoved(os, u *node) {
	if isOpenArray(u) {
		c.add(itemRemovedFromOpen)
		return
	}
	if ps := partialArraySchema(u); ps != nil {
		s := c.sub()
		s.compare(os, ps)
		c.addAll(s.diffs)
		if s.isCompatible() {
			c.add(itemRemovedCovered)
		} else {
			c.add(itemRemovedNotCovered)
		}
		return
	}
	if deref(os).kind == kFalse {
		c.add(itemWithFalseRemovedFromClosed)
	} else {
		c.add(itemRemovedFromClosed)
	}
}

func (c *diffCtx) itemAdded(us, o *node) {
	if isOpenArray(o) {
		if deref(us).isEmpty() {
			c.add(itemWithEmptySchemaAddedToOpen)
		} else {
			c.add(itemAddedToOpen)
		}
		return
	}
	if ps := partialArraySchema(o); ps != nil {
		s := c.sub()
		s.compare(ps, us)
		c.addAll(s.diffs)
		if s.isCompatible() {
			c.add(itemAddedCovered)
		} else {
			c.add(itemAddedNotCovered)
		}
		return
	}
	c.add(itemAddedToClosed)
}

// isOpenArray: items past the tuple may be anything.
func isOpenArray(n *node) bool {
	if n.noAdditionalItems || n.additionalItems != nil {
		return false
	}
	return n.unevalItems == nil || n.unevalItems.isEmpty()
}

// partialArraySchema is the schema items past the tuple must match, or nil
// for a closed (or fully open) content model.
func partialArraySchema(n *node) *node {
	if n.additionalItems != nil {
		return n.additionalItems
	}
	if !n.noAdditionalItems && n.unevalItems != nil {
		if k := n.unevalItems.kind; k != kFalse && k != kEmpty && k != kTrue {
			return n.unevalItems
		}
	}
	return nil
}

func (c *diffCtx) compareAdditionalItems(o, u *node) {
	c.enterPath("additionalItems")
	defer c.leavePath()
	switch {
	case o.noAdditionalItems != u.noAdditionalItems:
		if u.noAdditionalItems {
			c.add(additionalItemsRemoved)
		} else {
			c.add(additionalItemsAdded)
		}
	case o.additionalItems == nil && u.additionalItems != nil:
		c.add(additionalItemsNarrowed)
	case o.additionalItems != nil && u.additionalItems == nil:
		c.add(additionalItemsExtended)
	default:
		c.compare(o.additionalItems, u.additionalItems)
	}
}
