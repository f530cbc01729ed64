// The properties form beside the modeler: only what this product reads from a diagram
// (names, lane roles, forms, due dates, assignees, scripts, timers, conditions). Each field
// writes back through the modeling API when it changes.
import { BusinessObjects } from './business-object.mjs'

let counter = 0

function field (label, hint, control) {
  const group = document.createElement('div')
  group.className = 'govuk-form-group'
  const id = `prop-${++counter}`
  const labelEl = document.createElement('label')
  labelEl.className = 'govuk-label govuk-label--s'
  labelEl.htmlFor = id
  labelEl.textContent = label
  group.append(labelEl)
  if (hint) {
    const hintEl = document.createElement('div')
    hintEl.className = 'govuk-hint'
    hintEl.id = `${id}-hint`
    hintEl.textContent = hint
    group.append(hintEl)
    control.setAttribute('aria-describedby', hintEl.id)
  }
  control.id = id
  group.append(control)
  return group
}

function input (value, onChange, list) {
  const el = document.createElement('input')
  el.className = 'govuk-input'
  el.type = 'text'
  el.value = value || ''
  el.spellcheck = false
  if (list) el.setAttribute('list', list)
  el.addEventListener('change', () => onChange(el.value.trim()))
  return el
}

function textarea (value, onChange, rows = 4) {
  const el = document.createElement('textarea')
  el.className = 'govuk-textarea'
  el.rows = rows
  el.value = value || ''
  el.spellcheck = false
  el.addEventListener('change', () => onChange(el.value))
  return el
}

function select (options, value, onChange) {
  const el = document.createElement('select')
  el.className = 'govuk-select'
  for (const [key, text] of options) {
    const option = document.createElement('option')
    option.value = key
    option.textContent = text
    option.selected = key === value
    el.append(option)
  }
  el.addEventListener('change', () => onChange(el.value))
  return el
}

function laneOf (bo) {
  const lanes = bo.get ? bo.get('lanes') : bo.lanes
  return lanes && lanes.length ? lanes[0].name : ''
}

export class PropertiesForm {
  constructor (modeler, container, empty) {
    this.modeler = modeler
    this.bos = new BusinessObjects(modeler)
    this.modeling = modeler.get('modeling')
    this.container = container
    this.empty = empty
    modeler.on('selection.changed', ({ newSelection }) => this.show(newSelection[0]))
    modeler.on('commandStack.changed', () => this.refreshHeading())
  }

  refreshHeading () {
    if (this.element && this.heading) this.heading.textContent = this.title(this.element)
  }

  title (element) {
    const bo = element.businessObject
    const kind = element.type.replace('bpmn:', '').replace(/([A-Z])/g, ' $1').trim()
    return `${kind}: ${bo.name || bo.id}`
  }

  show (element) {
    this.element = element
    this.container.replaceChildren()
    this.empty.hidden = Boolean(element)
    if (!element || element.type === 'label') return
    const bo = element.businessObject
    this.heading = document.createElement('h3')
    this.heading.className = 'govuk-heading-s'
    this.heading.textContent = this.title(element)
    const id = document.createElement('p')
    id.className = 'govuk-body-s'
    id.textContent = `Element id: ${bo.id}`
    this.container.append(this.heading, id)
    const add = (...fields) => this.container.append(...fields)
    const update = (props) => this.modeling.updateProperties(element, props)

    if (element.type === 'bpmn:Lane') {
      add(field('Role', 'The lane’s name is the role whose inbox gets the tasks in it.',
        input(bo.name, (v) => update({ name: v }), 'lane-names')))
      return
    }
    add(field('Name', null, input(bo.name, (v) => update({ name: v || undefined }))))
    if (element.type === 'bpmn:UserTask') this.userTask(element, add)
    if (element.type === 'bpmn:ScriptTask') {
      add(field('Script', 'Python without imports; use the functions listed under “What diagrams can use”.',
        textarea(bo.script, (v) => update({ script: v }), 6)))
    }
    if (this.bos.timer(bo)) this.timer(element, add)
    if (element.type === 'bpmn:SequenceFlow' && /Gateway$/.test(bo.sourceRef.$type)) {
      const body = bo.conditionExpression ? bo.conditionExpression.body : ''
      add(field('Condition', 'Taken when this is true, for example core_group_date > core_group_due_date. Leave empty for the default path.',
        textarea(body, (v) => this.bos.setCondition(element, v.trim()), 2)))
    }
  }

  userTask (element, add) {
    const bo = element.businessObject
    const bos = this.bos
    const lane = laneOf(bo)
    const done = document.createElement('p')
    done.className = 'govuk-body'
    done.textContent = lane ? `Done by: ${lane} (move the task to another lane to change the role).` : 'Not in a lane: move it into the lane of the role that does it.'
    add(done)
    add(field('Form', 'The form this task shows: a deployed or draft form (a draft is deployed with this diagram).',
      input(bos.property(bo, 'formKey'), (v) => bos.setProperty(element, 'formKey', v), 'form-keys')))
    const key = bos.property(bo, 'formKey') || ''
    const open = document.createElement('a')
    open.className = 'govuk-link govuk-body-s'
    open.href = `${document.getElementById('form-keys').dataset.editor}${key ? `?key=${encodeURIComponent(key)}` : ''}`
    open.textContent = key ? `Open the form “${key}” in the form editor` : 'Create a form in the form editor'
    add(open)
    add(field('Due date', 'An expression giving a date, for example add_working_days(icpc_date, -setting("report_working_days_before_icpc")).',
      input(bos.property(bo, 'dueDate'), (v) => bos.setProperty(element, 'dueDate', v))))
    add(field('Assigned to', 'An expression giving a username (for example social_worker), or empty for anyone with the lane’s role.',
      input(bos.property(bo, 'assignee'), (v) => bos.setProperty(element, 'assignee', v))))
    add(field('Title', 'Optional expression naming this copy of the task.',
      input(bos.property(bo, 'title'), (v) => bos.setProperty(element, 'title', v))))
    add(field('Before the task', 'Script run when the task becomes ready.',
      textarea(bos.script(bo, 'spiffworkflow:PreScript'), (v) => bos.setScript(element, 'spiffworkflow:PreScript', v.trim()), 2)))
    add(field('After the task', 'Script run when the task is completed, for example to record the form’s answers.',
      textarea(bos.script(bo, 'spiffworkflow:PostScript'), (v) => bos.setScript(element, 'spiffworkflow:PostScript', v.trim()), 3)))
  }

  timer (element, add) {
    const bos = this.bos
    const definition = bos.timer(element.businessObject)
    const kind = bos.timerKind(definition)
    const current = definition[kind] ? definition[kind].body : ''
    const kinds = [['timeDate', 'On a date'], ['timeDuration', 'After a duration'], ['timeCycle', 'Repeating']]
    const expression = textarea(current, (v) => bos.setTimer(element, kindSelect.value, v.trim()), 3)
    const kindSelect = select(kinds, kind, (k) => bos.setTimer(element, k, expression.value.trim()))
    add(field('Timer', null, kindSelect))
    add(field('When', 'An expression: for a date, for example deadline(add_working_days(due_date, 5)); for a duration, a quoted ISO value such as "P10D".', expression))
  }
}
