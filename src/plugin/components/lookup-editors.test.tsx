import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DataSource } from '../datasource';
import type { WaspendQuery } from '../query/types';
import type { WaspendVariableQuery } from '../variables';
import { AnnotationQueryEditor } from './AnnotationQueryEditor';
import { VariableQueryEditor } from './VariableQueryEditor';

describe('VariableQueryEditor', () => {
  const renderEditor = (query: WaspendVariableQuery) => {
    const onChange = jest.fn();
    render(<VariableQueryEditor query={query} onChange={onChange} onRunQuery={jest.fn()} datasource={{} as DataSource} />);
    return onChange;
  };

  it('picks a list', async () => {
    const onChange = renderEditor({ refId: 'v', list: 'wabas' });
    expect(screen.queryByLabelText('Variable WABA filter')).toBeNull();
    await userEvent.click(screen.getByRole('radio', { name: 'countries' }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'v', list: 'countries' });
  });

  it('narrows a list to a chained $waba variable', async () => {
    const onChange = renderEditor({ refId: 'v', list: 'phones' });
    const box = screen.getByLabelText('Variable WABA filter');
    await userEvent.type(box, '$waba');
    fireEvent.blur(box);
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'v', list: 'phones', waba: ['$waba'] });
  });
});

describe('AnnotationQueryEditor', () => {
  it('starts with the default kinds and toggles one', async () => {
    const onChange = jest.fn();
    render(<AnnotationQueryEditor query={{ refId: 'Anno' }} onChange={onChange} />);
    expect(screen.getByLabelText('Annotation kind tier')).toHaveProperty('checked', true);
    expect(screen.getByLabelText('Annotation kind market_change')).toHaveProperty('checked', false);
    await userEvent.click(screen.getByLabelText('Annotation kind tier'));
    expect(onChange.mock.calls.at(-1)[0].kinds).toEqual(['rate_card', 'pricing_model', 'template_category']);
  });

  it('keeps a WABA variable as typed', async () => {
    const onChange = jest.fn();
    render(
      <AnnotationQueryEditor query={{ refId: 'Anno', kinds: ['tier'], waba: [] } as Partial<WaspendQuery> as never} onChange={onChange} />,
    );
    const box = screen.getByLabelText('Annotation WABA filter');
    await userEvent.type(box, '${{waba}');
    fireEvent.blur(box);
    expect(onChange.mock.calls.at(-1)[0]).toMatchObject({ kinds: ['tier'], waba: ['${waba}'] });
  });
});
