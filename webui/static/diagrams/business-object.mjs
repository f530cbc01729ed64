// Reading and writing what the product needs on a diagram element, through the modeler's
// modeling API so every change is undoable and lands in the saved XML.
export class BusinessObjects {
  constructor (modeler) {
    this.modeling = modeler.get('modeling')
    this.moddle = modeler.get('moddle')
  }

  extensions (bo) {
    return (bo.extensionElements && bo.extensionElements.values) || []
  }

  _extensionElements (element) {
    const bo = element.businessObject
    if (!bo.extensionElements) {
      const created = this.moddle.create('bpmn:ExtensionElements', { values: [] })
      created.$parent = bo
      this.modeling.updateProperties(element, { extensionElements: created })
    }
    return bo.extensionElements
  }

  _properties (bo) {
    return this.extensions(bo).find((e) => e.$type === 'spiffworkflow:Properties')
  }

  property (bo, name) {
    const props = this._properties(bo)
    const found = props && (props.values || []).find((p) => p.name === name)
    return found ? found.value || '' : ''
  }

  setProperty (element, name, value) {
    const bo = element.businessObject
    let props = this._properties(bo)
    if (!props && !value) return
    if (!props) {
      const ext = this._extensionElements(element)
      props = this.moddle.create('spiffworkflow:Properties', { values: [] })
      props.$parent = ext
      this.modeling.updateModdleProperties(element, ext, { values: [...ext.values, props] })
    }
    const values = props.values || []
    const found = values.find((p) => p.name === name)
    if (!value) {
      if (found) this.modeling.updateModdleProperties(element, props, { values: values.filter((p) => p !== found) })
    } else if (found) {
      this.modeling.updateModdleProperties(element, found, { value })
    } else {
      const created = this.moddle.create('spiffworkflow:Property', { name, value })
      created.$parent = props
      this.modeling.updateModdleProperties(element, props, { values: [...values, created] })
    }
  }

  script (bo, type) {
    const found = this.extensions(bo).find((e) => e.$type === type)
    return found ? found.value || '' : ''
  }

  setScript (element, type, value) {
    const bo = element.businessObject
    const found = this.extensions(bo).find((e) => e.$type === type)
    if (found && value) {
      this.modeling.updateModdleProperties(element, found, { value })
    } else if (found) {
      const ext = bo.extensionElements
      this.modeling.updateModdleProperties(element, ext, { values: ext.values.filter((e) => e !== found) })
    } else if (value) {
      const ext = this._extensionElements(element)
      const created = this.moddle.create(type, { value })
      created.$parent = ext
      this.modeling.updateModdleProperties(element, ext, { values: [...ext.values, created] })
    }
  }

  timer (bo) {
    return (bo.eventDefinitions || []).find((d) => d.$type === 'bpmn:TimerEventDefinition')
  }

  timerKind (definition) {
    return ['timeDate', 'timeDuration', 'timeCycle'].find((k) => definition[k]) || 'timeDate'
  }

  setTimer (element, kind, expression) {
    const definition = this.timer(element.businessObject)
    const body = this.moddle.create('bpmn:FormalExpression', { body: expression })
    body.$parent = definition
    const changes = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined }
    changes[kind] = body
    this.modeling.updateModdleProperties(element, definition, changes)
  }

  setCondition (element, expression) {
    let condition
    if (expression) {
      condition = this.moddle.create('bpmn:FormalExpression', { body: expression })
      condition.$parent = element.businessObject
    }
    this.modeling.updateProperties(element, { conditionExpression: condition })
  }
}
