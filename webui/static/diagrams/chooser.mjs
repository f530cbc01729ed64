// Choosing a part of the diagram without a mouse: a select listing every step, event, gateway,
// lane and arrow by name. Choosing one selects it on the canvas, so the properties form
// (next in the tab order) shows its fields; clicking on the canvas keeps the list in step.

function describe (element) {
  const bo = element.businessObject
  const kind = element.type.replace('bpmn:', '').replace(/([A-Z])/g, ' $1').trim()
  return `${bo.name || bo.id} (${kind.toLowerCase()})`
}

export class ElementChooser {
  constructor (modeler, select) {
    this.registry = modeler.get('elementRegistry')
    this.selection = modeler.get('selection')
    this.canvas = modeler.get('canvas')
    this.select = select
    select.addEventListener('change', () => {
      const element = this.registry.get(select.value)
      if (element) {
        this.canvas.scrollToElement(element)
        this.selection.select(element)
      } else {
        this.selection.select(null)
      }
    })
    modeler.on('import.done', () => this.fill())
    modeler.on('commandStack.changed', () => this.fill())
    modeler.on('selection.changed', ({ newSelection }) => {
      this.select.value = newSelection[0] ? newSelection[0].id : ''
    })
  }

  fill () {
    const root = this.canvas.getRootElement()
    const chosen = this.select.value
    const parts = this.registry.filter((e) => e !== root && e.type !== 'label' && e.businessObject)
    parts.sort((a, b) => describe(a).localeCompare(describe(b)))
    const none = document.createElement('option')
    none.value = ''
    none.textContent = 'None chosen'
    const options = parts.map((element) => {
      const option = document.createElement('option')
      option.value = element.id
      option.textContent = describe(element)
      return option
    })
    this.select.replaceChildren(none, ...options)
    this.select.value = this.registry.get(chosen) ? chosen : ''
  }
}
